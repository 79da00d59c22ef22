#include "daemon/entry_key_prefix.hpp"

#include "daemon/storage_layout.hpp"

namespace todo {
namespace {

constexpr std::size_t kIdBytes = sizeof(EntryId);

}  // namespace

rocksdb::Slice EntryKeyPrefix::Transform(const rocksdb::Slice& key) const {
  return {key.data(), key.size() - kIdBytes};
}

bool EntryKeyPrefix::InDomain(const rocksdb::Slice& key) const {
  // The tag, at least one byte of name, the '\0', the id.
  return key.size() >= 1 + 1 + 1 + kIdBytes && key[0] == StorageLayout::kEntryTag;
}

}  // namespace todo
