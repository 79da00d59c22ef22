// One change to the key/value store: a put, an erase, or the erasure of a
// range of keys. A list's changes travel from its actor to a DatabaseWorker as
// these (ListWrite), and the worker adds them to one RocksDB WriteBatch.
//
// Thread safety: a plain value.
#pragma once

#include <span>
#include <string>

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace todo {

struct StorageMutation {
  enum class Kind { put, erase, erase_range };

  Kind kind = Kind::put;
  std::string key;    // for erase_range: the first key erased
  std::string value;  // for erase_range: the first key kept
};

// Appends every mutation to batch, in order. Throws what the batch throws
// (no memory).
void add_to_batch(std::span<const StorageMutation> mutations, rocksdb::WriteBatch& batch);

}  // namespace todo
