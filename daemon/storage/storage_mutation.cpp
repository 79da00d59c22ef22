#include "daemon/storage/storage_mutation.hpp"

#include <rocksdb/write_batch.h>

namespace todo {

void add_to_batch(std::span<const StorageMutation> mutations, rocksdb::WriteBatch& batch) {
  for (const StorageMutation& mutation : mutations) {
    switch (mutation.kind) {
      case StorageMutation::Kind::put:
        batch.Put(mutation.key, mutation.value);
        break;
      case StorageMutation::Kind::erase:
        batch.Delete(mutation.key);
        break;
      case StorageMutation::Kind::erase_range:
        batch.DeleteRange(mutation.key, mutation.value);
        break;
    }
  }
}

}  // namespace todo
