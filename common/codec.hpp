// Encoding of stored data with cereal's portable binary archive.
//
// Every encoded value starts with a format version (kFormatVersion) so that a
// later version of todo can read what this one wrote; decoders accept every
// version up to their own and refuse newer ones by name. tests/upgrade_test.cpp
// serves a data directory written by todod 0.1.0 (format 1) to hold them to it.
//
// Decoding is hardened against truncated, corrupt and hostile bytes: it never
// crashes or hangs, never allocates more than the input can justify (a length
// prefix larger than the bytes that remain is refused before any allocation),
// refuses trailing bytes, and validates what it reads (dates, titles). Every
// failure is an Error with a message, never an exception.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/entry.hpp"
#include "common/idempotency_key.hpp"
#include "common/list_operation.hpp"
#include "common/result.hpp"

namespace todo {

// Version 2 adds an entry's tags after its done flag; a version 1 entry has
// none. Version 3 adds undo steps, and remembered changes that answer an
// undo. Each value is written in the oldest version that holds it: an entry
// without tags, and everything else that was in version 1, as version 1.
inline constexpr std::uint32_t kFormatVersion = 3;

// What a list keeps besides its entries: the next id to hand out (so ids are
// never reused after a delete) and how many entries it holds.
struct ListMeta {
  EntryId next_id = 1;
  std::uint64_t entry_count = 0;

  friend bool operator==(const ListMeta&, const ListMeta&) = default;
};

// What reverts one change to a list (daemon/undo_journal.hpp): the ids of
// the entries it added, to take out, and the entries it changed or removed,
// as they were, to put back. sequence orders a list's steps.
//
// A move writes a step in both lists: in the one it went to the id it took
// there (added), in the one it left the entry as it was (replaced); each
// names the other list and the entry's id there.
struct UndoStep {
  std::uint64_t sequence = 0;
  ChangeKind change = ChangeKind::add;
  std::vector<EntryId> added;   // an add's id
  std::vector<Entry> replaced;  // an update's or a delete's entry, a drop's entries, by id
  std::string other_list;       // a move's
  EntryId other_id = 0;         // a move's

  friend bool operator==(const UndoStep&, const UndoStep&) = default;
};

// Where some of a list's newest undo steps were written, in the order of
// changes across lists that `todo undo` without a list follows
// (daemon/undo_order.hpp): the steps first_step to last_step of list. A
// rename is one too: with renamed_to set (and no steps), it says that the
// list's older steps are the new name's now. With neither, a change to the
// list that wrote no step (a drop too big to keep): nothing before it can be
// undone as the newest change.
struct UndoHint {
  std::string list;
  std::uint64_t first_step = 0;
  std::uint64_t last_step = 0;
  std::string renamed_to;

  static UndoHint unrecorded_change(std::string list) { return {std::move(list), 0, 0, {}}; }
  bool is_rename() const { return !renamed_to.empty(); }
  bool is_unrecorded_change() const { return first_step == 0 && !is_rename(); }
  friend bool operator==(const UndoHint&, const UndoHint&) = default;
};

// The hints of one group commit, numbered in the order groups were written.
struct UndoHintGroup {
  std::uint64_t number = 0;
  std::vector<UndoHint> hints;  // in the order of the batch's writes

  friend bool operator==(const UndoHintGroup&, const UndoHintGroup&) = default;
};

// What a list's journal finds on disk: the sequences of its steps, in any
// order, and whether some step did not decode.
struct StoredUndoSequences {
  std::vector<std::uint64_t> sequences;
  bool has_lost_step = false;
};

std::string encode_entry(const Entry& entry);
Result<Entry> decode_entry(std::string_view bytes);

std::string encode_list_meta(const ListMeta& meta);
Result<ListMeta> decode_list_meta(std::string_view bytes);

// Always format 3. Decoding checks that the step is one a change makes: an
// add's one id, an update's or a delete's one entry, a drop's entries in id
// order.
std::string encode_undo_step(const UndoStep& step);
Result<UndoStep> decode_undo_step(std::string_view bytes);
// The size of encode_undo_step(step), counted without encoding it.
std::size_t encoded_undo_step_bytes(const UndoStep& step);

// A group of hints as it is stored, with the number it holds: what the undo
// order keeps in memory, and decodes only for an undo.
struct EncodedUndoHintGroup {
  std::uint64_t number = 0;
  std::string bytes;  // encode_undo_hint_group()
};

// Always format 3. Decoding checks that each hint names a valid list and
// either a run of steps, a rename, or a change that kept no step.
std::string encode_undo_hint_group(const UndoHintGroup& group);
Result<UndoHintGroup> decode_undo_hint_group(std::string_view bytes);

// A remembered change without its key, which the storage key holds.
// REQUIRES (encode): change.answer is done, an id, an entry, nothing to drop
// or an undo.
std::string encode_remembered_change(const RememberedChange& change);
// The key of the result is zero: the caller sets it from the storage key.
Result<RememberedChange> decode_remembered_change(std::string_view bytes);

}  // namespace todo
