// The data directory's RocksDB instance, reopened when writes to it fail.
//
// After a failed write RocksDB takes no more writes until it is recovered,
// and on the RocksDB this builds against (7.8) the only safe recovery is to
// close it and open it again: DB::Resume() can keep the WAL writer that
// failed, whose next append aborts, and an I/O error on the WAL is one Resume
// refuses anyway. So a failed write marks the instance for reopening; the
// next write, at most once per kReopenInterval, closes it and opens it again,
// which starts a fresh WAL after replaying the old one. While the fault lasts
// (a full or read-only disk) that open fails, and the directory is opened
// read-only instead, so that lists can still be loaded and read.
//
// A write that failed is not replayed by the reopen when its WAL record never
// reached the file whole (the record's checksum rejects a torn one). One whose
// record was written but whose fsync failed may be: what a failed fsync left
// on disk is not knowable (see docs/architecture.md).
//
// Thread safety: every member may be called from any thread. Reads and writes
// share a lock that a reopen takes alone.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <string>

#include "common/result.hpp"

namespace rocksdb {
class DB;
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace todo {

class RocksDbInstance {
 public:
  // Long enough that a disk which stays full is not hammered with reopens,
  // short enough that writes come back soon after it has room.
  static constexpr std::chrono::milliseconds kReopenInterval{500};

  // env: the file system RocksDB works through; null for the default.
  static Result<std::unique_ptr<RocksDbInstance>> open(const std::filesystem::path& dir,
                                                       rocksdb::Env* env);

  RocksDbInstance(const RocksDbInstance&) = delete;
  RocksDbInstance& operator=(const RocksDbInstance&) = delete;
  ~RocksDbInstance();

  Result<void> write(rocksdb::WriteBatch& batch, bool sync);

  // Runs use(db) under the shared lock and returns what it returns, which
  // must be a Result; an error when no instance is open at all. For reads:
  // writes go through write(), which knows to reopen after a failure.
  template <class Use>
  auto with_db(Use&& use) const -> decltype(use(std::declval<rocksdb::DB&>())) {
    std::shared_lock lock(mutex_);
    if (db_ == nullptr) return unavailable();
    return use(*db_);
  }

  // Times the instance was closed and opened again for writing.
  std::uint64_t reopen_count() const { return reopen_count_.load(std::memory_order_relaxed); }

 private:
  RocksDbInstance(std::filesystem::path dir, rocksdb::Env* env, std::unique_ptr<rocksdb::DB> db);

  void reopen_when_due();
  Error unavailable() const;  // REQUIRES: mutex_ held

  const std::filesystem::path dir_;
  rocksdb::Env* const env_;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<rocksdb::DB> db_;  // guarded by mutex_; read-only or null after a failed reopen
  bool is_writable_ = true;          // guarded by mutex_: db_ was opened for writing
  std::string open_failure_;         // guarded by mutex_: why the last reopen failed
  std::chrono::steady_clock::time_point next_reopen_{};  // guarded by mutex_, exclusively
  std::atomic<bool> needs_reopen_{false};
  std::atomic<std::uint64_t> reopen_count_{0};
};

}  // namespace todo
