#include "daemon/database_worker.hpp"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>

#include "daemon/runtime/log.hpp"
#include "daemon/storage/rocksdb_instance.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "daemon/undo_order.hpp"

namespace todo {

DatabaseWorker::DatabaseWorker(RocksDbInstance& db, Durability durability, std::uint8_t index,
                               UndoOrder& undo_order)
    : db_(db),
      durability_(durability),
      index_(index),
      undo_order_(undo_order),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

void DatabaseWorker::submit(ListWrite write) {
  {
    MutexLock lock(mutex_);
    pending_.push_back(std::move(write));
  }
  has_pending_.notify_one();
}

void DatabaseWorker::take_pending(const std::stop_token& stop, std::vector<ListWrite>& writes) {
  MutexLock lock(mutex_);
  has_pending_.wait(mutex_, stop, [this]() REQUIRES(mutex_) { return !pending_.empty(); });
  writes.swap(pending_);
}

void DatabaseWorker::run(const std::stop_token& stop) {
  std::vector<ListWrite> writes;
  for (;;) {
    take_pending(stop, writes);
    if (writes.empty()) return;  // stopping, and everything submitted is written
    // A write computed on a list loaded before the database was last reopened
    // may rest on a copy that differs from disk (rocksdb_instance.hpp): it is
    // refused, and its list reloads.
    const std::uint32_t generation = db_.generation();
    const auto stale = std::stable_partition(writes.begin(), writes.end(), [&](const ListWrite& w) {
      return w.generation == generation;
    });
    const std::span<ListWrite> current(writes.data(), stale - writes.begin());
    const Result<void> outcome = current.empty() ? Result<void>() : commit(current, generation);
    // Built only when needed: after a reopen, not on every batch.
    const Result<void> refused =
        stale == writes.end() ? Result<void>() : RocksDbInstance::stale_write();
    for (auto write = writes.begin(); write != writes.end(); ++write) {
      // One caller's failing completion must not cost the others theirs.
      try {
        write->on_done(write < stale ? outcome : refused);
      } catch (const std::exception& e) {
        log_event(std::string("a write's completion failed: ") + e.what());
      }
    }
    writes.clear();
  }
}

Result<void> DatabaseWorker::commit(std::span<ListWrite> writes, std::uint32_t generation) {
  rocksdb::WriteBatch batch;
  UndoHintGroup hints;
  std::string encoded_hints;
  try {
    std::size_t hint_count = 0;
    for (const ListWrite& write : writes) hint_count += write.undo_hints.size();
    hints.hints.reserve(hint_count);
    for (ListWrite& write : writes) {
      add_to_batch(write.mutations, batch);
      for (UndoHint& hint : write.undo_hints) hints.hints.push_back(std::move(hint));
    }
    if (!hints.hints.empty()) {
      hints.number = undo_order_.next_number();
      encoded_hints = encode_undo_hint_group(hints);
      const rocksdb::Status put = batch.Put(
          StorageLayout::undo_order_key(index_, UndoOrder::slot_of(hints.number)), encoded_hints);
      if (!put.ok()) throw std::runtime_error(put.ToString());
    }
  } catch (const std::exception& e) {
    // Nothing of the batch reached RocksDB: report it to every caller and go
    // on with the next one, as a restarted worker would. (An exception from
    // inside DB::Write is not caught: RocksDB's write group is not safe to
    // carry on after one, so the process ends and restarts from the WAL.)
    log_event(std::string("a database worker could not build a batch and goes on: ") + e.what());
    return Error::internal(std::string("could not write to the database: ") + e.what());
  }
  const Result<void> written = db_.write(batch, durability_ == Durability::sync, generation);
  if (!encoded_hints.empty()) {
    if (written) {
      undo_order_.add({hints.number, std::move(encoded_hints)});
    } else if (std::erase_if(hints.hints,
                             [](const UndoHint& h) { return h.is_unrecorded_change(); });
               !hints.hints.empty()) {
      // A write that failed may reach the disk after all, when a reopen
      // replays the log: its steps' hints are kept, as each is checked
      // against its list, but not a stop for a change that may not be there.
      undo_order_.add({hints.number, encode_undo_hint_group(hints)});
    }
  }

  batch_count_.fetch_add(1, std::memory_order_relaxed);
  write_count_.fetch_add(writes.size(), std::memory_order_relaxed);
  // The log says when writes start failing and when they work again, not
  // once per batch.
  if (!written) {
    if (!is_failing_) {
      log_event("writes fail, changes are refused until they work again: " +
                written.error().message);
    }
    is_failing_ = true;
    return written;
  }
  if (is_failing_) log_event("writes work again");
  is_failing_ = false;
  return {};
}

}  // namespace todo
