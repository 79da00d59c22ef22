// Reading lists back from RocksDB, in StorageLayout's keys: one list (its
// metadata and entries from one snapshot), whether anything is stored under
// a name, or the names of the lists stored. restore_list is the read half of the metadata rule that
// ListMutations writes by (list_mutations.hpp): the metadata says whether the
// list is empty, and a next id the entries may have passed.
//
// Errors name the list and the data directory; stored bytes that do not
// decode, or that break the layout, say the list is corrupt and why.
//
// Thread safety: pure functions; the DB may be read from any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec.hpp"
#include "common/idempotency_key.hpp"
#include "common/list.hpp"
#include "common/result.hpp"

namespace rocksdb {
class DB;
class Iterator;
class Status;
struct ReadOptions;
}  // namespace rocksdb

namespace todo {

// Calls visit(list name, iterator at its metadata key) for every metadata key
// from first_name's on, in key order, until visit returns false; the status of
// the scan.
rocksdb::Status visit_meta_keys(
    rocksdb::DB& db, const rocksdb::ReadOptions& base, std::string_view first_name,
    const std::function<bool(std::string_view name, rocksdb::Iterator& at)>& visit);

// The list from what was stored under its name: its metadata, if any, and its
// entries in id order. Its next id is at least id_floor (id_floor.hpp).
Result<List> restore_list(const std::string& list_name, const std::optional<ListMeta>& meta,
                          std::vector<Entry> entries, EntryId id_floor);

// The list as stored; an empty list when nothing is stored under the name.
// dir names the data directory in errors.
Result<List> read_list(rocksdb::DB& db, const std::string& list_name,
                       const std::filesystem::path& dir, EntryId id_floor);

// The changes the list remembers by their idempotency keys, oldest first (by
// sequence); none when nothing is stored under the name. Read apart from the
// list, when its first keyed change comes: lists that never see one pay no
// seek for it.
Result<std::vector<RememberedChange>> read_remembered_changes(rocksdb::DB& db,
                                                              const std::string& list_name,
                                                              const std::filesystem::path& dir);

// The sequences of the list's stored undo steps (undo_journal.hpp), in slot
// order; none when nothing is stored under the name. A step that does not
// decode is logged and said (has_lost_step): the journal cannot tell which
// change it reverted, so none of it can be trusted.
Result<StoredUndoSequences> read_undo_sequences(rocksdb::DB& db, const std::string& list_name,
                                                const std::filesystem::path& dir);

// The undo step in this slot of the list's journal; none when it is empty.
Result<std::optional<UndoStep>> read_undo_step(rocksdb::DB& db, const std::string& list_name,
                                               std::uint8_t slot, const std::filesystem::path& dir);

// Every group of undo hints the database workers stored (undo_order.hpp),
// in key order, as stored. A group that does not decode is logged and left
// out: hints only order undos, and each is checked against its list's journal.
Result<std::vector<EncodedUndoHintGroup>> read_undo_hint_groups(rocksdb::DB& db,
                                                                const std::filesystem::path& dir);

// The keys a rename takes from a list, as stored, each with its value: its
// entries and undo steps, which ListMutations::take_stored copies byte for
// byte under the new name, so that nothing is decoded and encoded again in
// another format. (Remembered changes stay with the name, which a retry
// names.)
struct StoredListKeys {
  struct KeyValue {
    std::string key;
    std::string value;
  };
  std::vector<KeyValue> entries;
  std::vector<KeyValue> undo_steps;
};

// What is stored under the name, from one snapshot; nothing when nothing is.
Result<StoredListKeys> read_list_keys(rocksdb::DB& db, const std::string& list_name,
                                      const std::filesystem::path& dir);

// Whether anything is stored under exactly this name: its metadata or an
// entry (entries without metadata are a corrupt list, which is still the
// list of that name). A list keeps its metadata once written, emptied or
// dropped too, so a name once stored stays stored.
Result<bool> is_list_stored(rocksdb::DB& db, const std::string& list_name,
                            const std::filesystem::path& dir);

// Names of the lists that hold at least one entry, sorted (bytewise): up to
// limit of them, each after `after`. A list whose metadata is corrupt is
// listed (and logged): reading it reports it.
Result<std::vector<std::string>> read_list_names(rocksdb::DB& db, const std::filesystem::path& dir,
                                                 const std::string& after, std::size_t limit);

// Names of every list that has metadata, emptied and dropped ones too, sorted
// (bytewise). No value is decoded, so corrupt metadata does not stop it.
Result<std::vector<std::string>> read_stored_list_names(rocksdb::DB& db,
                                                        const std::filesystem::path& dir);

}  // namespace todo
