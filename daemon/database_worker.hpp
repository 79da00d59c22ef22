// One pooled writer: a thread that owns a queue of ListWrites and applies them
// to RocksDB. Everything pending when it wakes becomes one RocksDB WriteBatch
// and one write (group commit): under load, one fsync covers many changes of
// many lists. A list is always served by the same worker (Database hashes its
// name), so one list's writes reach disk in the order they were submitted.
//
// A batch that carries undo hints (ListWrite::undo_hints) takes the next
// number of the UndoOrder and writes them, as one key of the worker's ring,
// in the same batch; the UndoOrder keeps them once the write returns.
//
// Workers are OS threads, not actors, because a write blocks in fsync; as on
// the BEAM's dirty I/O schedulers, that must not stall the actor threads.
//
// Supervision: a batch that cannot be written, by a RocksDB error or an
// exception while building it, is reported to each of its callers and the
// worker goes on with the next. Nothing submitted is dropped unanswered. A
// failed write has RocksDB reopened before a later one (RocksDbInstance): the
// restart of what failed, while the worker's queue lives on.
//
// Thread safety: submit() from any thread. The destructor writes what is
// pending, then joins the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <span>
#include <stop_token>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "daemon/durability.hpp"
#include "daemon/list_write.hpp"
#include "daemon/runtime/mutex.hpp"

namespace todo {

class RocksDbInstance;
class UndoOrder;

class DatabaseWorker {
 public:
  // index: the worker's place in the pool, which names its ring of undo hints.
  DatabaseWorker(RocksDbInstance& db, Durability durability, std::uint8_t index,
                 UndoOrder& undo_order);
  DatabaseWorker(const DatabaseWorker&) = delete;
  DatabaseWorker& operator=(const DatabaseWorker&) = delete;

  void submit(ListWrite write);

  // Group commits done and ListWrites applied so far.
  std::uint64_t batch_count() const { return batch_count_.load(std::memory_order_relaxed); }
  std::uint64_t write_count() const { return write_count_.load(std::memory_order_relaxed); }

 private:
  void run(const std::stop_token& stop);
  // Waits for writes, and takes them all; none once asked to stop with
  // nothing pending. REQUIRES: writes is empty.
  void take_pending(const std::stop_token& stop, std::vector<ListWrite>& writes) EXCLUDES(mutex_);
  // Moves the writes' undo hints into the batch and into the UndoOrder.
  Result<void> commit(std::span<ListWrite> writes, std::uint32_t generation);

  RocksDbInstance& db_;
  const Durability durability_;
  const std::uint8_t index_;
  UndoOrder& undo_order_;
  Mutex mutex_;
  std::condition_variable_any has_pending_;
  std::vector<ListWrite> pending_ GUARDED_BY(mutex_);
  std::atomic<std::uint64_t> batch_count_{0};
  std::atomic<std::uint64_t> write_count_{0};
  bool is_failing_ = false;  // the worker thread's own: whether the last write failed
  // Last: starts after everything it uses exists, and is the first member
  // destroyed, which asks it to stop and joins it.
  std::jthread thread_;
};

}  // namespace todo
