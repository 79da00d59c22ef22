#include "daemon/storage/rocksdb_instance.hpp"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "daemon/runtime/log.hpp"
#include "daemon/storage/entry_key_prefix.hpp"
#include "daemon/storage/id_floor.hpp"
#include "daemon/storage/rocksdb_logger.hpp"
#include "daemon/storage/uninstrumented_call.hpp"
#include "daemon/storage/wal_replay.hpp"

namespace todo {
namespace {

// recovery: what a damaged write-ahead log does to the open (wal_replay.hpp).
// replay: told of every record replayed; may be null.
rocksdb::Options rocksdb_options(rocksdb::Env* env, rocksdb::WALRecoveryMode recovery,
                                 rocksdb::WalFilter* replay) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.wal_recovery_mode = recovery;
  options.wal_filter = replay;
  options.max_background_jobs = 2;
  if (env != nullptr) options.env = env;
  // Not a LOG file in the data directory: see rocksdb_logger.hpp.
  options.info_log = RocksDbLogger::shared();
  // Lists are read by prefix (one list's entries): bloom filters on whole keys
  // would not help, a block cache does.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(64 << 20);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Without a hint an add starts at the skip list's top and walks down through
  // every list's keys; with a hint per list it starts where the list's last
  // key went in (entry_key_prefix.hpp; docs/performance.md has the share of
  // todod's CPU the search takes either way).
  // RocksDB ignores hints in concurrent memtable writes, which only help when
  // more cores than two write at once.
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<EntryKeyPrefix>();
  options.allow_concurrent_memtable_write = false;
  return options;
}

// The range deletions in a write batch: WriteBatch only says whether it holds any.
class RangeDeleteCounter : public rocksdb::WriteBatch::Handler {
 public:
  std::uint64_t count = 0;

  rocksdb::Status DeleteRangeCF(std::uint32_t /*column_family*/, const rocksdb::Slice& /*begin*/,
                                const rocksdb::Slice& /*end*/) override {
    ++count;
    return rocksdb::Status::OK();
  }
};

enum class OpenMode { for_writing, read_only };

// RocksDB's POSIX file system says "While fsync" or "While fdatasync" (or
// sync_file_range) when a sync fails; a failed write stops the database with
// that status, so a later write reports the same.
bool is_sync_failure(const rocksdb::Status& status) {
  const std::string text = status.ToString();
  return text.find("While fsync") != std::string::npos ||
         text.find("While fdatasync") != std::string::npos ||
         text.find("While sync_file_range") != std::string::npos;
}

Error open_failure(const std::filesystem::path& dir, const rocksdb::Status& status) {
  return Error::internal("cannot open database in " + dir.string() + ": " + status.ToString());
}

rocksdb::Status open_db(const std::filesystem::path& dir, OpenMode mode,
                        const rocksdb::Options& options, std::unique_ptr<rocksdb::DB>& db) {
  rocksdb::DB* raw_db = nullptr;
  const rocksdb::Status status = mode == OpenMode::for_writing
                                     ? rocksdb::DB::Open(options, dir.string(), &raw_db)
                                     : rocksdb::DB::OpenForReadOnly(options, dir.string(), &raw_db);
  db.reset(raw_db);
  return status;
}

// A disk with no room, or not writable: the directory may still open read-only.
bool is_out_of_room(const rocksdb::Status& status) {
  if (status.IsNoSpace()) return true;
  const std::string text = status.ToString();
  return status.IsIOError() && (text.find("No space left") != std::string::npos ||
                                text.find("Read-only file system") != std::string::npos ||
                                text.find("Disk quota exceeded") != std::string::npos);
}

// Whether the directory holds a write-ahead log with anything in it.
bool has_log_to_replay(const std::filesystem::path& dir) {
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(dir, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    std::error_code size_error;
    if (it->path().extension() == ".log" && it->file_size(size_error) > 0) return true;
  }
  return false;
}

// What every open uses but the one --accept-wal-loss asks for: a log damaged
// before its end fails it.
rocksdb::Options refusing_damaged_logs(rocksdb::Env* env, rocksdb::WalFilter* replay) {
  return rocksdb_options(env, rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords, replay);
}

Result<std::unique_ptr<rocksdb::DB>> open_db(const std::filesystem::path& dir, rocksdb::Env* env,
                                             OpenMode mode) {
  std::unique_ptr<rocksdb::DB> db;
  const rocksdb::Status status = open_db(dir, mode, refusing_damaged_logs(env, nullptr), db);
  if (!status.ok()) return open_failure(dir, status);
  return db;
}

}  // namespace

rocksdb::Options RocksDbInstance::options() { return refusing_damaged_logs(nullptr, nullptr); }

Result<std::unique_ptr<RocksDbInstance>> RocksDbInstance::open(const std::filesystem::path& dir,
                                                               rocksdb::Env* env, WalLoss wal_loss,
                                                               Unreadable unreadable) {
  // The logs are checked by replaying them read-only first: a writable open
  // flushes what it replays and deletes the log, the damage with it, and some
  // damage ends its replay without an error. Only a log with something in it
  // needs it: after a clean stop there is none (the close flushes), and
  // without one there is no log to be damaged.
  std::optional<WalDamage> damage;
  std::string damage_status;
  if (has_log_to_replay(dir)) {
    WalReplay replay(dir);
    std::unique_ptr<rocksdb::DB> read_only;
    const rocksdb::Status checked =
        open_db(dir, OpenMode::read_only, refusing_damaged_logs(env, &replay), read_only);
    read_only.reset();  // before replay, which its options point at
    if (checked.ok()) {
      damage = replay.unexplained_tail();
      if (damage) damage_status = "the replay ended there without an error";
    } else if (checked.IsCorruption()) {
      damage = replay.damage();
      if (damage) damage_status = checked.ToString();
    }
  }
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::Status status;
  if (!damage)
    status = open_db(dir, OpenMode::for_writing, refusing_damaged_logs(env, nullptr), db);
  if (damage) {
    if (wal_loss == WalLoss::refuse) {
      return Error::internal("refusing to open the database in " + dir.string() + ": " +
                             damage->describe() + " (" + damage_status +
                             "). Restore the data directory from a backup, or start todod once "
                             "with --accept-wal-loss to keep what precedes the damage and give "
                             "up the rest");
    }
    log_event("--accept-wal-loss: giving up what follows the damage: " + damage->describe());
    if (auto noted = note_pending_id_skip(dir, damage->bytes_lost); !noted) return noted.error();
    status =
        open_db(dir, OpenMode::for_writing,
                rocksdb_options(env, rocksdb::WALRecoveryMode::kPointInTimeRecovery, nullptr), db);
  }
  std::string not_writable;
  if (is_out_of_room(status)) {
    // Reads need no room; changes wait for the reopen that finds some.
    not_writable = open_failure(dir, status).message;
    auto read_only = open_db(dir, env, OpenMode::read_only);
    if (!read_only) return std::move(read_only).error();
    db = std::move(read_only).value();
    log_event(not_writable + "; serving reads from it read-only until it opens for writing");
  } else if (!status.ok()) {
    return open_failure(dir, status);
  }
  return std::unique_ptr<RocksDbInstance>(
      new RocksDbInstance(dir, env, std::move(db), not_writable, std::move(unreadable)));
}

RocksDbInstance::RocksDbInstance(std::filesystem::path dir, rocksdb::Env* env,
                                 std::unique_ptr<rocksdb::DB> db, const std::string& open_failure,
                                 Unreadable unreadable)
    : dir_(std::move(dir)), env_(env), db_(std::move(db)), unreadable_(std::move(unreadable)) {
  if (!open_failure.empty()) {
    {
      WriterLock lock(mutex_);
      is_writable_ = false;
      open_failure_ = open_failure;
    }
    {
      MutexLock failure_lock(failure_mutex_);
      write_failure_ = open_failure;
      last_open_failure_ = open_failure;
    }
    next_reopen_.store((Clock::now() + kReopenInterval).time_since_epoch().count(),
                       std::memory_order_relaxed);
    needs_reopen_.store(true, std::memory_order_release);
  }
  reopener_ = std::jthread([this](const std::stop_token& stop) { reopen_while_due(stop); });
}

RocksDbInstance::~RocksDbInstance() {
  reopener_.request_stop();
  reopener_.join();
  WriterLock lock(mutex_);
  if (db_ == nullptr) return;
  // The memtables to disk, so that the next start opens at once instead of
  // replaying the WAL into them (over a second for a million adds). Not on an
  // instance that failed a write: it would only meet the same error.
  if (is_writable_ && !needs_reopen_.load(std::memory_order_acquire) &&
      !needs_restart_.load(std::memory_order_acquire)) {
    const rocksdb::Status flushed = db_->Flush(rocksdb::FlushOptions());
    if (!flushed.ok()) {
      log_event("could not flush the database in " + dir_.string() +
                " at close; the next start replays its log: " + flushed.ToString());
    }
  }
  const rocksdb::Status status = db_->Close();
  (void)status;  // nothing left to report it to; every acknowledged write is already durable
}

Result<void> RocksDbInstance::write(rocksdb::WriteBatch& batch, bool sync,
                                    std::uint32_t generation) {
  if (needs_restart_.load(std::memory_order_acquire)) return refused_until_restart();
  if (needs_reopen_.load(std::memory_order_acquire)) {
    reopen_when_due();
    // The failed instance takes no writes: RocksDB's own recovery may be
    // busy with it, and a WAL writer that failed is not to be used again.
    if (needs_reopen_.load(std::memory_order_acquire)) return refused_until_reopened();
  }
  ReaderLock lock(mutex_);
  if (needs_restart_.load(std::memory_order_acquire)) return refused_until_restart();
  if (generation != generation_.load(std::memory_order_acquire)) return stale_write();
  if (db_ == nullptr || !is_writable_) return unavailable();
  rocksdb::WriteOptions options;
  options.sync = sync;
  // A write group's leader reads the other workers' batches: see uninstrumented_call.hpp.
  rocksdb::DB& db = *db_;  // the lambda is not seen to run under the lock
  const rocksdb::Status status = call_uninstrumented([&] { return db.Write(options, &batch); });
  if (status.ok()) {
    // The reopened instance works: a later fault starts again from the shortest wait.
    if (reopen_delay_.load(std::memory_order_relaxed) != kReopenInterval) {
      reopen_delay_.store(kReopenInterval, std::memory_order_relaxed);
    }
    if (batch.HasDeleteRange()) flush_when_range_deletes_pile_up(db, batch);
    return {};
  }
  const std::string failure =
      "could not write to the database in " + dir_.string() + ": " + status.ToString();
  // An I/O error or corruption stops RocksDB's writes; anything else is this
  // batch's own.
  if (status.IsIOError() || status.IsCorruption()) note_write_failure(status, failure);
  return Error::internal(failure);
}

void RocksDbInstance::flush_when_range_deletes_pile_up(rocksdb::DB& db,
                                                       const rocksdb::WriteBatch& batch) {
  RangeDeleteCounter counter;
  if (!batch.Iterate(&counter).ok()) return;  // it was just written whole; cannot happen
  const std::uint64_t written =
      range_deletes_since_flush_.fetch_add(counter.count, std::memory_order_relaxed) +
      counter.count;
  if (written < kMaxRangeDeletesInMemtable) return;
  // Not while the last flush is still being written: a second memtable
  // waiting would stop writes until it is (max_write_buffer_number). The next
  // range deletion asks again.
  std::uint64_t flushing = 0;
  if (!db.GetIntProperty(rocksdb::DB::Properties::kNumImmutableMemTable, &flushing) ||
      flushing > 0) {
    return;
  }
  rocksdb::FlushOptions options;
  // The memtable is switched before Flush returns; writing it to a table file
  // is left to RocksDB's background thread, and the worker goes on.
  options.wait = false;
  options.allow_write_stall = true;
  const rocksdb::Status flushed = db.Flush(options);
  range_deletes_since_flush_.store(0, std::memory_order_relaxed);
  // A flush that fails stops RocksDB's writes like a failed write, and the
  // next write reports it and reopens; this write is durable either way.
  (void)flushed;
}

void RocksDbInstance::note_write_failure(const rocksdb::Status& status,
                                         const std::string& failure) {
  bool is_new_damage = false;
  {
    MutexLock failure_lock(failure_mutex_);
    write_failure_ = failure;
    if (status.IsCorruption() && damage_.empty()) {
      damage_ = failure;
      is_new_damage = true;
    }
  }
  if (is_new_damage) {
    log_event("the database in " + dir_.string() + " is damaged, and writes fail until it is " +
              "repaired (stop todod, run todod --repair, see the README): " + failure);
  }
  if (!is_sync_failure(status)) {
    needs_reopen_.store(true, std::memory_order_release);
    return;
  }
  if (!needs_restart_.exchange(true, std::memory_order_acq_rel)) {
    log_event("an fsync in " + dir_.string() +
              " failed, so what the disk holds is uncertain; changes are refused until todod "
              "restarts: " +
              status.ToString());
  }
}

void RocksDbInstance::reopen_while_due(const std::stop_token& stop) {
  bool is_unreadable_reported = false;
  std::unique_lock wait_lock(reopen_wait_mutex_);
  while (!reopen_wait_.wait_for(wait_lock, stop, kReopenInterval, [] { return false; })) {
    if (stop.stop_requested()) return;
    if (needs_reopen_.load(std::memory_order_acquire) &&
        !needs_restart_.load(std::memory_order_acquire)) {
      reopen_when_due();
    }
    const Clock::rep unreadable_since = unreadable_since_.load(std::memory_order_acquire);
    if (unreadable_since == 0) {
      is_unreadable_reported = false;
    } else if (!is_unreadable_reported &&
               Clock::now().time_since_epoch().count() - unreadable_since >=
                   std::chrono::duration_cast<Clock::duration>(unreadable_.limit).count()) {
      is_unreadable_reported = true;
      std::string why;
      {
        // A reopen that worked meanwhile (it holds the lock alone) ends it.
        ReaderLock lock(mutex_);
        if (db_ == nullptr) {
          why = "the database in " + dir_.string() + " could not be opened for " +
                std::to_string(unreadable_.limit.count()) + " ms: " + open_failure_;
        }
      }
      if (!why.empty() && unreadable_.on_reached) unreadable_.on_reached(why);
    }
  }
}

void RocksDbInstance::reopen_when_due() {
  if (Clock::now().time_since_epoch().count() < next_reopen_.load(std::memory_order_relaxed)) {
    return;
  }
  WriterLock lock(mutex_);
  // Another writer may have reopened it, or tried, while this one waited; and
  // a failed fsync meanwhile means no reopen at all (see the header).
  if (!needs_reopen_.load(std::memory_order_relaxed)) return;
  if (needs_restart_.load(std::memory_order_acquire)) return;
  if (Clock::now().time_since_epoch().count() < next_reopen_.load(std::memory_order_relaxed)) {
    return;
  }
  reopen();
}

void RocksDbInstance::reopen() {
  const bool was_failing = !open_failure_.empty();
  if (db_ != nullptr) {
    const rocksdb::Status closed = db_->Close();
    (void)closed;  // it failed a write already; the reopen below says whether it recovers
    db_.reset();
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
  range_deletes_since_flush_.store(0, std::memory_order_relaxed);
  auto reopened = open_db(dir_, env_, OpenMode::for_writing);
  if (reopened) {
    db_ = std::move(reopened).value();
    is_writable_ = true;
    open_failure_.clear();
    // A fault that a fresh open does not cure must not reopen on every write:
    // the next attempt waits too, and the delay grows until a write works.
    next_reopen_.store((Clock::now() + reopen_delay_.load()).time_since_epoch().count(),
                       std::memory_order_relaxed);
    needs_reopen_.store(false, std::memory_order_release);
    reopen_count_.fetch_add(1, std::memory_order_relaxed);
    unreadable_since_.store(0, std::memory_order_release);
    {
      MutexLock failure_lock(failure_mutex_);
      last_open_failure_.clear();
    }
    if (was_failing) log_event("reopened the database in " + dir_.string());
    return;
  }
  open_failure_ = reopened.error().message;
  is_writable_ = false;
  auto read_only = open_db(dir_, env_, OpenMode::read_only);
  // Once per fault, not once per attempt.
  if (!read_only) open_failure_ += "; it cannot be read either: " + read_only.error().message;
  {
    MutexLock failure_lock(failure_mutex_);
    last_open_failure_ = open_failure_;
  }
  if (!was_failing) {
    log_event(open_failure_ +
              (read_only ? "; serving reads from it read-only until it opens for writing" : ""));
  }
  if (read_only) {
    db_ = std::move(read_only).value();
    unreadable_since_.store(0, std::memory_order_release);
  } else if (unreadable_since_.load(std::memory_order_relaxed) == 0) {
    unreadable_since_.store(Clock::now().time_since_epoch().count(), std::memory_order_release);
  }
  // From the end of this attempt: an attempt can take a second (the WAL replay).
  next_reopen_.store((Clock::now() + reopen_delay_.load()).time_since_epoch().count(),
                     std::memory_order_relaxed);
  reopen_delay_.store(std::min<Clock::duration>(reopen_delay_.load() * 2, kMaxReopenInterval));
}

std::string RocksDbInstance::degraded() const {
  MutexLock failure_lock(failure_mutex_);
  // Damage stays whatever else is wrong, and a restart alone does not cure it.
  const std::string damaged = damage_.empty() ? "" : "damaged (todod --repair: " + damage_ + "); ";
  const std::string open_failure =
      last_open_failure_.empty() ? "" : "; the last attempt to open it: " + last_open_failure_;
  if (needs_restart_.load(std::memory_order_acquire)) {
    return damaged + "takes no changes until todod restarts, after: " + write_failure_;
  }
  if (unreadable_since_.load(std::memory_order_acquire) != 0) {
    return damaged + "cannot be opened, not even read-only, after: " + write_failure_ +
           open_failure;
  }
  if (needs_reopen_.load(std::memory_order_acquire)) {
    return damaged + "takes no changes until it is reopened, after: " + write_failure_ +
           open_failure;
  }
  if (!damage_.empty()) {
    return "damaged, and writes fail whenever RocksDB reads the damage again (todod --repair): " +
           damage_;
  }
  return {};
}

Error RocksDbInstance::stale_write() {
  return Error::internal(
      "the database was reopened after a failed write, and this change was computed before; "
      "it was not saved");
}

Error RocksDbInstance::refused_until_restart() const {
  MutexLock failure_lock(failure_mutex_);
  return Error::internal("the database takes no changes until todod restarts, after: " +
                         write_failure_);
}

Error RocksDbInstance::refused_until_reopened() const {
  MutexLock failure_lock(failure_mutex_);
  return Error::internal("the database takes no changes until it is reopened, after: " +
                         write_failure_);
}

Error RocksDbInstance::unavailable() const {
  return Error::internal("the database is unavailable until it can be reopened: " + open_failure_);
}

}  // namespace todo
