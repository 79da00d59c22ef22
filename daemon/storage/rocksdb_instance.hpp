// The data directory's RocksDB instance, reopened when writes to it fail.
//
// After a failed write RocksDB takes no more writes until it is recovered,
// and on the RocksDB this builds against (7.8) the only safe recovery is to
// close it and open it again: DB::Resume() can keep the WAL writer that
// failed, whose next append aborts, and an I/O error on the WAL is one Resume
// refuses anyway. So a failed write marks the instance for reopening, and no
// write reaches it again. The next write that finds a reopen due closes it
// and opens it again, which starts a fresh WAL after replaying the old one.
// While the fault lasts (a full or read-only disk) that open fails, and the
// directory is opened read-only instead, so lists can still be loaded and
// read; the attempts back off from kReopenInterval to kMaxReopenInterval.
// A full or read-only disk at the first open is met the same way: the instance
// starts read-only, due for a reopen.
//
// The reopens are made by a thread of the instance's own, every
// kReopenInterval while one is due, whatever the requests are: a fault that
// also fails the read-only open (file descriptors run out) leaves nothing
// open, every request fails before it would write, and a reopen tried only
// from writes would never come. If nothing at all is open for
// Unreadable::limit, Unreadable::on_reached is called, once: todod exits then,
// so that systemd restarts it in a fresh process.
//
// Every open starts a new generation: a list loaded under an older one is
// reloaded, and a write computed on it is refused (write() with its
// generation), as a reopen may have changed what is on disk under it.
//
// A write-ahead log damaged before its end fails every open: what follows the
// damage may be acknowledged changes (wal_replay.hpp). Only the first open may
// be told to give it up (WalLoss::accept), and then ids skip past what it could
// have held (id_floor.hpp).
//
// A failed fsync is not reopened from: what the disk holds after one is not
// knowable (the record was written, the sync failed), RocksDB counts a failed
// WAL sync as unrecoverable, and reopening in process after one can hide
// acknowledged changes from reads until the next start
// (tests/failing_disk_test.cpp). Writes stay refused until todod restarts,
// when RocksDB replays the WAL from the files; reads go on meanwhile.
//
// Range deletions (the drops of large lists, list_mutations.hpp) are flushed
// out of the memtable that takes writes once kMaxRangeDeletesInMemtable have
// been written since the last flush, or soon after when a flush is still being
// written. RocksDB 7.8 keeps that memtable's range deletions sorted for
// reads, but each new one discards the sorted copy, so the next read sorts
// them all again: with drops and reads taking turns, each read costs as much
// as all the range deletions still in the memtable (docs/performance.md,
// "Drops"). An immutable memtable and a table file sort theirs once, and
// compaction drops them when they reach the last level.
//
// Thread safety: every member may be called from any thread. Reads and writes
// share a lock that a reopen takes alone.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "common/result.hpp"
#include "daemon/runtime/mutex.hpp"

namespace rocksdb {
class DB;
class Env;
struct Options;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace todo {

class RocksDbInstance {
 public:
  // The first wait before reopening, and the longest: long enough that a disk
  // which stays full is not hammered with reopens (each replays the WAL under
  // the lock that reads need), short enough that writes come back soon after
  // it has room.
  static constexpr std::chrono::milliseconds kReopenInterval{500};
  static constexpr std::chrono::milliseconds kMaxReopenInterval{8000};
  // The range deletions written before the memtable is flushed. Sorting
  // 300,000 of them again took a read right after a drop 230 ms, about 0.7 us
  // each (docs/performance.md, "Drops"); 1,024 cost it well under a
  // millisecond, less than todo's own round trip. And as each is the drop of a
  // list of over 256 entries, a flush comes after 262,000 dropped entries at
  // least, whose adds wrote tens of megabytes: about as often as those adds
  // filled the 64 MB memtable.
  static constexpr std::uint64_t kMaxRangeDeletesInMemtable = 1024;

  // What the first open does when a write-ahead log is damaged before its
  // end (wal_replay.hpp): refuse, naming the file and offset, or keep what
  // precedes the damage, noting the ids to skip (id_floor.hpp). Later opens
  // (reopen()) always refuse.
  enum class WalLoss { refuse, accept };

  // How long nothing may be open, neither for writing nor read-only, before
  // on_reached(why) is called (from the instance's reopen thread).
  struct Unreadable {
    std::chrono::milliseconds limit{std::chrono::seconds(60)};
    std::function<void(const std::string& why)> on_reached;
  };

  // What every open of a data directory uses, for a tool that opens one
  // itself (salvage.hpp): the same table format, and a damaged log refused.
  static rocksdb::Options options();

  // env: the file system RocksDB works through; null for the default.
  static Result<std::unique_ptr<RocksDbInstance>> open(const std::filesystem::path& dir,
                                                       rocksdb::Env* env, WalLoss wal_loss,
                                                       Unreadable unreadable);

  RocksDbInstance(const RocksDbInstance&) = delete;
  RocksDbInstance& operator=(const RocksDbInstance&) = delete;
  ~RocksDbInstance();

  // Counts the opens: a list read under one generation may be stale in the next.
  std::uint32_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Refused, and not written, when the instance was reopened since generation.
  Result<void> write(rocksdb::WriteBatch& batch, bool sync, std::uint32_t generation);
  // The answer to a write computed under an older generation.
  static Error stale_write();

  // Runs use(db) under the shared lock and returns what it returns, which
  // must be a Result; an error when no instance is open at all. For reads:
  // writes go through write(), which knows to reopen after a failure.
  template <class Use>
  auto with_db(Use&& use) const -> decltype(use(std::declval<rocksdb::DB&>())) {
    ReaderLock lock(mutex_);
    if (db_ == nullptr) return unavailable();
    return use(*db_);
  }

  // Times the instance was closed and opened again for writing.
  std::uint64_t reopen_count() const { return reopen_count_.load(std::memory_order_relaxed); }

  // Empty while reads and writes work; else what is wrong, for ping: writes
  // refused and why, nothing open at all, or a damaged table file that a
  // write met (RocksDB names it), which stays reported until todod restarts,
  // as the damage stays until todod --repair. Never waits for a reopen.
  std::string degraded() const EXCLUDES(failure_mutex_);

 private:
  using Clock = std::chrono::steady_clock;

  // open_failure: empty when db is open for writing; else why it is not.
  RocksDbInstance(std::filesystem::path dir, rocksdb::Env* env, std::unique_ptr<rocksdb::DB> db,
                  const std::string& open_failure, Unreadable unreadable);

  // The reopen thread: reopens when one is due, and watches how long nothing is open.
  void reopen_while_due(const std::stop_token& stop);
  // Counts the range deletions of a batch just written, and flushes the
  // memtable when kMaxRangeDeletesInMemtable have been written since the last.
  void flush_when_range_deletes_pile_up(rocksdb::DB& db, const rocksdb::WriteBatch& batch)
      REQUIRES_SHARED(mutex_);
  void reopen_when_due() EXCLUDES(mutex_);
  // Closes the failed instance and opens it again, for writing or else read-only.
  void reopen() REQUIRES(mutex_);
  Error refused_until_reopened() const EXCLUDES(failure_mutex_);
  Error refused_until_restart() const EXCLUDES(failure_mutex_);
  Error unavailable() const REQUIRES_SHARED(mutex_);
  // Notes a write's I/O error or corruption: an fsync's waits for a restart,
  // any other's for a reopen.
  void note_write_failure(const rocksdb::Status& status, const std::string& failure)
      EXCLUDES(failure_mutex_);

  const std::filesystem::path dir_;
  rocksdb::Env* const env_;
  mutable SharedMutex mutex_;
  // Read-only or null after a failed reopen.
  std::unique_ptr<rocksdb::DB> db_ GUARDED_BY(mutex_);
  bool is_writable_ GUARDED_BY(mutex_) = true;   // db_ was opened for writing
  std::string open_failure_ GUARDED_BY(mutex_);  // why the last reopen failed
  // The wait after the next attempt: doubled by a failed open, and back to
  // kReopenInterval once a write works (under the shared lock, so atomic).
  std::atomic<Clock::duration> reopen_delay_{kReopenInterval};
  // When the next reopen may start, in Clock ticks: read without the lock, so
  // that writes refused meanwhile do not queue for it.
  std::atomic<Clock::rep> next_reopen_{0};
  std::atomic<bool> needs_reopen_{false};
  std::atomic<bool> needs_restart_{false};  // after a failed fsync
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<std::uint64_t> reopen_count_{0};
  // Written since the last flush todod asked for, or the last open (which
  // flushes what it replays). A flush RocksDB made itself meanwhile only makes
  // the next one come early.
  std::atomic<std::uint64_t> range_deletes_since_flush_{0};
  mutable Mutex failure_mutex_;
  std::string write_failure_ GUARDED_BY(failure_mutex_);  // what the failed write said
  std::string damage_ GUARDED_BY(failure_mutex_);         // the first corruption a write met
  // open_failure_, copied where degraded() can read it without waiting for a reopen.
  std::string last_open_failure_ GUARDED_BY(failure_mutex_);
  // Since when nothing is open, in Clock ticks; 0 while something is.
  std::atomic<Clock::rep> unreadable_since_{0};
  const Unreadable unreadable_;
  // The reopen thread waits on it, and the destructor wakes it.
  std::mutex reopen_wait_mutex_;
  std::condition_variable_any reopen_wait_;
  std::jthread reopener_;  // last: it uses every member above
};

}  // namespace todo
