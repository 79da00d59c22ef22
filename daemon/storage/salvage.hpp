// Copying what can still be read out of a RocksDB whose files are damaged,
// and making each list's metadata agree with the entries that survived:
// the storage half of `todod --repair` (daemon/repair.hpp).
//
// RocksDB's own RepairDB drops a table file it cannot read to the end, every
// list in it with the damaged one. salvage() reads the logical view instead,
// all levels merged, forwards from the first key until a read fails, then
// backwards from the last key until a read fails: every key is copied except
// those between the last readable one from each side, which is where the
// damage is. Reading the merged view keeps deletions in force: no entry
// deleted in a newer file comes back from an older one.
//
// reconcile_metadata() then applies the layout's rule (storage_layout.hpp)
// to every list the copy holds: entries without metadata get metadata, and a
// count that disagrees on emptiness is set right; each change is named.
//
// Thread safety: functions on databases no one else uses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace todo {

struct Salvage {
  std::uint64_t keys_copied = 0;
  bool is_damaged = false;  // some key could not be read
  std::string damage;       // what RocksDB said of the first read that failed
  std::string last_before;  // the last key read before the damage; empty: none
  std::string first_after;  // the first key read after it; empty: none
};

// Copies every readable key of from into to (an empty database).
Result<Salvage> salvage(rocksdb::DB& from, rocksdb::DB& to);

// One line per list whose metadata was set right, naming it and what changed.
Result<std::vector<std::string>> reconcile_metadata(rocksdb::DB& db,
                                                    const std::filesystem::path& dir);

// A key of the layout as a person reads it: "entry 7 of list 'bob'".
std::string describe_key(const std::string& key);

}  // namespace todo
