#include "daemon/database_worker.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "daemon/uninstrumented_call.hpp"

namespace todo {

DatabaseWorker::DatabaseWorker(rocksdb::DB& db, Durability durability)
    : db_(db), durability_(durability), thread_([this] { run(); }) {}

DatabaseWorker::~DatabaseWorker() {
  {
    std::lock_guard lock(mutex_);
    is_stopping_ = true;
  }
  has_pending_.notify_one();
  thread_.join();
}

void DatabaseWorker::submit(ListWrite write) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(write));
  }
  has_pending_.notify_one();
}

void DatabaseWorker::run() {
  std::vector<ListWrite> writes;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      has_pending_.wait(lock, [this] { return is_stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;
      writes.swap(pending_);
    }
    commit(writes);
    writes.clear();
  }
}

void DatabaseWorker::commit(std::vector<ListWrite>& writes) {
  rocksdb::WriteBatch batch;
  for (const ListWrite& write : writes) {
    for (const StorageMutation& mutation : write.mutations) {
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
  rocksdb::WriteOptions options;
  options.sync = durability_ == Durability::sync;
  // A write group's leader reads the other workers' batches: see uninstrumented_call.hpp.
  const rocksdb::Status status = call_uninstrumented([&] { return db_.Write(options, &batch); });

  batch_count_.fetch_add(1, std::memory_order_relaxed);
  write_count_.fetch_add(writes.size(), std::memory_order_relaxed);
  Result<void> outcome;
  if (!status.ok())
    outcome = Error::internal("could not write to the database: " + status.ToString());
  for (ListWrite& write : writes) write.on_done(outcome);
}

}  // namespace todo
