// What one list keeps to revert its last changes: `todo undo LIST` reverts
// the newest, and again the one before, up to kMaxSteps back. Each change
// (add, update, done, delete, drop) writes, in the same batch as itself, an
// undo step (codec.hpp): the ids it added, to take out, and the entries it
// changed or removed, as they were, to put back. An undo applies the newest
// step and erases it in one batch, so after a crash the revert and the end of
// its step are both on disk or neither is, and it is answered only once that
// batch is durable. An undo is not itself a step: undo twice reverts two changes.
//
// The steps sit in a ring of kMaxSteps slots (StorageLayout::undo_key), step
// s in slot s % kMaxSteps, so a change overwrites the oldest step instead of
// erasing it: one key per change, as an add to a list that holds entries
// writes one key for itself (list_mutations.hpp). In memory the journal is the
// next sequence and the oldest one still stored, read with the list's first
// change or undo (16 bytes and the steps of the group being written, not
// kMaxSteps steps): an undo reads its step from disk, unless the step came in
// the same group.
//
// A drop's step holds every entry of the list. One over kMaxStepBytes is not
// written: the drop empties the journal instead (a step can then not be
// undone past it), which keeps a RocksDB value, and the batch of its write,
// bounded.
//
// Before it applies a step an undo checks that the list still is what the
// change left (the added entry is there, the removed ones are not): a list
// changed by a todod that did not write steps fails that check, and the undo
// empties the journal and says why rather than revert the wrong thing.
//
// Thread safety: a plain value, used on its list's actor's turn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/codec.hpp"
#include "common/error.hpp"
#include "common/result.hpp"

namespace todo {

class ListMutations;

class UndoJournal {
 public:
  static constexpr std::size_t kMaxSteps = 100;
  static constexpr std::size_t kMaxStepBytes = std::size_t{8} << 20;

  // Reads the step in a slot from disk (Database::load_undo_step).
  using StepReader = std::function<Result<std::optional<UndoStep>>(std::uint8_t slot)>;

  // stored: the steps on disk (read_undo_sequences). With a step lost, the
  // journal is empty, and every slot is erased with the next change or undo.
  explicit UndoJournal(const StoredUndoSequences& stored);

  // Writes step as the newest, its sequence set, into mutations; one over
  // kMaxStepBytes is not written, and the journal is emptied instead.
  void record(UndoStep step, ListMutations& mutations);
  // Takes the newest step out, erasing it in mutations; none when the
  // journal is empty.
  Result<std::optional<UndoStep>> take_newest(const StepReader& read, ListMutations& mutations);
  // The newest step, left in place; null when the journal is empty, or when
  // the newest step on disk is not what the journal says. A step read from
  // disk is kept for the take_newest that follows, which then reads it no
  // more (until the next group). Valid until the journal next changes.
  Result<const UndoStep*> newest(const StepReader& read);
  // Erases every step, on disk too.
  void clear(ListMutations& mutations);
  // A new group: the steps of the last one are on disk now, and are read
  // from there.
  void start_group() {
    unwritten_.clear();
    unwritten_bytes_ = 0;
    newest_read_.reset();
    has_unrecorded_change_ = false;
  }
  // Whether this group's steps are past kMaxStepBytes together: its write
  // batch is then big enough, and what is queued waits for the next.
  bool is_group_full() const { return unwritten_bytes_ > kMaxStepBytes; }

  bool is_empty() const { return next_sequence_ == oldest_sequence_; }
  // Whether the newest step's sequence is first to last: false when the
  // journal is empty.
  bool is_newest_within(std::uint64_t first, std::uint64_t last) const {
    return !is_empty() && !has_lost_step_ && first <= next_sequence_ - 1 &&
           next_sequence_ - 1 <= last;
  }
  // Appends where this group's changes are for `todo undo` without a list
  // (undo_order.hpp): a change it could not record (a drop over
  // kMaxStepBytes), then the run of steps it wrote and still holds.
  void add_group_hints(const std::string& list_name, std::vector<UndoHint>& hints) const;
  std::size_t approximate_bytes() const;

 private:
  static std::uint8_t slot_of(std::uint64_t sequence) {
    return static_cast<std::uint8_t>(sequence % kMaxSteps);
  }

  std::uint64_t next_sequence_ = 1;
  std::uint64_t oldest_sequence_ = 1;    // == next_sequence_: nothing to undo
  std::vector<UndoStep> unwritten_;      // this group's, oldest first
  std::size_t unwritten_bytes_ = 0;      // their encodings' sizes
  std::optional<UndoStep> newest_read_;  // by newest(), for take_newest
  bool has_lost_step_ = false;           // cleared by clear()
  // Whether this group made a change too big to record (its hint stops the
  // undo of any list's newest change there).
  bool has_unrecorded_change_ = false;
};

// The answer to an undo conditional on steps (UndoChange::first_step) when
// the list's newest step is not one of them: not found, which LatestUndo
// takes as "try the next list".
Error not_the_newest_step(const std::string& list_name);

}  // namespace todo
