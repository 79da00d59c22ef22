// RocksDB's view of which list an entry key belongs to: the key without its
// 8-byte id, that is 'e' name '\0' (storage_layout.hpp). Given to RocksDB as
// memtable_insert_with_hint_prefix_extractor, it lets the memtable remember,
// per list, where that list's last key went in: ids only grow, so the next
// add of the list lands right after it, and the insert starts there instead
// of walking the skip list down from the top through keys of other lists.
// Keys that are not entry keys (metadata, the format key, the bounds of a
// range deletion) are inserted without a hint.
//
// It is not a table prefix extractor: reads and their order are unchanged.
//
// Thread safety: immutable; RocksDB calls it from any thread.
#pragma once

#include <rocksdb/slice_transform.h>

namespace todo {

class EntryKeyPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "todo.EntryKeyPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override;
  bool InDomain(const rocksdb::Slice& key) const override;
};

}  // namespace todo
