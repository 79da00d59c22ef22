// The order of changes across lists, which `todo undo` without a list
// follows to revert the newest change of any list (LatestUndo). Each list's
// journal orders its own steps (UndoJournal); this orders the group commits
// that wrote them.
//
// Each group commit that writes undo steps numbers itself (next_number) and
// writes, in its batch, one key of hints (UndoHintGroup): for each list,
// the run of steps the group wrote there; for a rename, that the old name's
// steps are the new name's now. It is the one key a group adds, not one a
// change, and it is written only with steps, so no change becomes durable
// without its hint. Once written the group is kept here too, as its stored
// bytes: the newest kKeptGroups, on disk and in memory, read back at start,
// and in memory no more than kMaxKeptBytes of them (a group holds a hint for
// every list in its batch, and a batch may hold thousands).
//
// On disk each worker has a ring of kKeptGroups keys, group n in slot
// n % kKeptGroups of its writer's ring (StorageLayout::undo_order_key). A
// worker writes one batch at a time, so a slot is only ever overwritten by a
// later group of the same worker, kKeptGroups numbers on: never by one of the
// newest kKeptGroups, whatever the interleaving of workers.
//
// Hints are only hints: a list's steps may have been undone, overwritten in
// its ring or emptied since, or a write that reported a failure may have
// reached the disk after all (a reopen replays the log), so a group's step
// hints are kept whether its write succeeded or not (DatabaseWorker). LatestUndo asks each list to
// undo only when its newest step is in the hinted run, and skips those that say no. A step whose
// hint is older than every kept group is reached by `todo undo LIST` only.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "common/codec.hpp"
#include "daemon/runtime/mutex.hpp"

namespace todo {

class UndoOrder {
 public:
  static constexpr std::size_t kKeptGroups = 128;
  static constexpr std::size_t kMaxKeptBytes = std::size_t{1} << 20;

  // stored: what read_undo_hint_groups found, in any order.
  explicit UndoOrder(std::vector<EncodedUndoHintGroup> stored);
  UndoOrder(const UndoOrder&) = delete;
  UndoOrder& operator=(const UndoOrder&) = delete;

  // The number of a group about to be written: above every number given
  // before, in this run and in those before it.
  std::uint64_t next_number() { return next_number_.fetch_add(1, std::memory_order_relaxed); }
  static std::uint8_t slot_of(std::uint64_t number) {
    return static_cast<std::uint8_t>(number % kKeptGroups);
  }
  // A group written.
  void add(EncodedUndoHintGroup group) EXCLUDES(mutex_);

  // Where the newest steps are, newest first: each kept group's hints, the
  // newest group first and its last hint first, each naming the list that
  // holds its steps now (renames followed). Renames themselves are not in it;
  // unrecorded changes are.
  std::vector<UndoHint> newest_first() const EXCLUDES(mutex_);

 private:
  // Keeps the newest of groups_ within kKeptGroups and kMaxKeptBytes, the
  // newest one always. REQUIRES: groups_ sorted by number.
  void trim() REQUIRES(mutex_);

  std::atomic<std::uint64_t> next_number_{1};
  mutable Mutex mutex_;
  std::deque<EncodedUndoHintGroup> groups_ GUARDED_BY(mutex_);  // oldest first
  std::size_t kept_bytes_ GUARDED_BY(mutex_) = 0;
};

}  // namespace todo
