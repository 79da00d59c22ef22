#include "daemon/storage/entry_key_prefix.hpp"

#include <cassert>

#include "daemon/storage/storage_layout.hpp"

namespace todo {
namespace {

constexpr std::size_t kIdBytes = sizeof(EntryId);

}  // namespace

rocksdb::Slice EntryKeyPrefix::Transform(const rocksdb::Slice& key) const {
  assert(InDomain(key));
  return {key.data(), key.size() - kIdBytes};
}

bool EntryKeyPrefix::InDomain(const rocksdb::Slice& key) const {
  // The tag, at least one byte of name, the '\0' that ends the name, the id.
  // Names hold no control characters, so the '\0' tells an entry key from the
  // bounds of a drop's range deletion ('e' name '\0' and 'e' name '\1'),
  // which must get no hint: RocksDB 7.8 keeps one hint per prefix for point
  // keys and range deletions alike (facebook/rocksdb#5118).
  return key.size() >= 1 + 1 + 1 + kIdBytes && key[0] == StorageLayout::kEntryTag &&
         key[key.size() - kIdBytes - 1] == '\0';
}

}  // namespace todo
