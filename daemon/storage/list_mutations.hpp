// The mutations that one group of changes to a list makes, in StorageLayout's
// keys: a put per entry added or changed, an erase per entry deleted, for a
// drop nothing, an erase per entry or one range erase (erase_all_entries), and
// the list's metadata key only where its entries cannot tell it. A change
// that came with an idempotency key adds the put of what the list remembers
// of it, and the erases of the remembered changes it pushed out of the window
// (remembered_changes.hpp), to the same batch: after a crash the change and
// its key are both on disk or neither is. So does the undo step of each
// change, and the erase of the step an undo used (undo_journal.hpp).
//
// The metadata rule (layout version 2, storage_layout.hpp): the metadata is
// written when the list goes from empty to not empty or back, and with every
// delete or drop, which may remove the newest id. So an add to a list that
// holds entries, or an update, writes one key. restore_list (list_reader.hpp)
// is the other half: it reads the next id as the larger of the stored one and
// the last entry's id + 1.
//
// Thread safety: a plain value, built on one actor's turn.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/entry.hpp"
#include "common/idempotency_key.hpp"
#include "common/list.hpp"
#include "daemon/storage/list_reader.hpp"
#include "daemon/storage/storage_mutation.hpp"

namespace todo {

class ListMutations {
 public:
  // before: the list as it is before the group's first change.
  // REQUIRES: list_name outlives this.
  ListMutations(std::string_view list_name, const List& before);

  // The most entries a drop erases key by key; past it, one range erase.
  // A point erase costs only reads of the same list's keys, until compaction
  // drops it with them, and 256 of them are 256 keys without values (about
  // 6 KB of WAL for a 10-byte name): less than the adds that made the list
  // wrote, each its key and its entry. A range erase is one key
  // however large the list, but until it is flushed every read that follows a
  // new one sorts all of them in the memtable again (RocksDB 7.8); so range
  // erases are kept for lists where key-by-key would be a large write, and
  // RocksDbInstance flushes them before they pile up.
  static constexpr std::size_t kMaxPointErasesPerDrop = 256;

  void put_entry(const Entry& entry);
  void erase_entry(EntryId id);
  // The drop of list, as it is when dropped: nothing at all when it holds no
  // entry (no key to erase, and its metadata, if any, already keeps its next
  // id: the delete or drop that emptied it wrote it), else its entry keys.
  // REQUIRES: list holds exactly the entries stored for it, as a list loaded
  // and changed only by its own actor does (its write in flight is done
  // before the next group starts, and a failed one reloads it from disk).
  void erase_all_entries(const List& list);
  // A keyed change applied, and one forgotten; neither touches the metadata.
  void remember(const RememberedChange& change);
  void forget(const IdempotencyKey& key);
  // An undo step written to its slot of the journal's ring, and one erased;
  // neither touches the metadata. REQUIRES: encoded is encode_undo_step's.
  void put_undo_step(std::uint8_t slot, std::string encoded);
  void erase_undo_step(std::uint8_t slot);

  // A rename's halves (ListTransfers). On the list renamed: the erase of
  // its entries (by the drop's rule) and undo steps. On the list of the new
  // name: the put of each of them under this name, value for value.
  // REQUIRES: stored is read_list_keys' of the list renamed, read while its
  // actor was lent; this name stores nothing (no list used it).
  void erase_stored(const StoredListKeys& stored);
  void take_stored(std::string_view renamed, const StoredListKeys& stored);

  // Everything the group writes, now that it leaves the list as `after`;
  // empty when it changed nothing.
  std::vector<StorageMutation> finish(const List& after) &&;
  // The same, for a list left with this next id and this many entries.
  std::vector<StorageMutation> finish(EntryId next_id, std::size_t size) &&;

 private:
  std::string_view list_name_;
  bool was_empty_;
  // Whether an entry left: the newest id may have gone with it.
  bool has_removal_ = false;
  std::vector<StorageMutation> mutations_;
};

}  // namespace todo
