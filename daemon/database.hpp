// The persistence front: one RocksDB instance in a locked data directory and a
// pool of DatabaseWorkers that write to it. A list's writes always go to the
// same worker, chosen by a stable hash of its name, so they are applied in the
// order they were submitted. Reads (loading a list, listing names) go straight
// to RocksDB, which serves concurrent readers. After a failed write the
// instance is reopened (RocksDbInstance), so writes work again once the fault
// is gone, without a restart.
//
// Thread safety: every public member may be called from any thread. The
// destructor writes everything submitted, stops the workers, then closes
// RocksDB; nothing may call in after it has started.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec.hpp"
#include "common/idempotency_key.hpp"
#include "common/list.hpp"
#include "common/protocol.hpp"
#include "common/result.hpp"
#include "daemon/durability.hpp"
#include "daemon/list_write.hpp"
#include "daemon/storage/data_directory.hpp"
#include "daemon/storage/list_reader.hpp"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace todo {

class BackupDirectory;
class DatabaseWorker;
class RocksDbInstance;
class UndoOrder;

struct DatabaseOptions {
  std::filesystem::path data_dir;
  // One by default: every worker writes to RocksDB's one write-ahead log, and
  // with --sync each batch a worker hands RocksDB is a sync write of its own
  // unless RocksDB happens to merge it with another's. On two cores, three
  // workers make 2.5 times the batches of one per add and answer fewer adds
  // (bench/db-workers.sh, docs/performance.md).
  std::size_t worker_count = 1;
  static constexpr std::size_t kMaxWorkers = 64;
  Durability durability = Durability::sync;
  // The file system RocksDB works through; null for the default. Tests pass
  // one that fails on demand.
  rocksdb::Env* env = nullptr;
  // Whether to open despite a write-ahead log damaged before its end, giving
  // up what follows the damage (RocksDbInstance::WalLoss).
  bool accept_wal_loss = false;
  // How long RocksDB may stay unopenable, not even read-only, before
  // on_unavailable(why) is called, once, from a thread of the database's
  // (RocksDbInstance::Unreadable). todod exits then, for systemd to restart it.
  std::chrono::milliseconds max_unavailable = std::chrono::seconds(60);
  std::function<void(const std::string& why)> on_unavailable;
};

class Database {
 public:
  // Fails with a message naming the path when the directory cannot be created,
  // is held by another process, or does not hold a readable todo database.
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::filesystem::path& data_dir() const { return directory_.path(); }
  Durability durability() const { return durability_; }
  std::size_t worker_count() const { return workers_.size(); }

  // Stable across runs and builds: FNV-1a of the name, modulo the pool size.
  std::size_t choose_worker(std::string_view list_name) const;
  // Hands the write to the list's worker; write.on_done reports the outcome.
  void write(std::string_view list_name, ListWrite write);
  // Changes after a reopen (RocksDbInstance): read it before loading a list,
  // and pass it with the list's writes.
  std::uint32_t generation() const;
  // The lowest id a new entry may take in any list (id_floor.hpp): 1 unless a
  // loss of the write-ahead log was accepted.
  EntryId id_floor() const { return id_floor_; }

  // The list as stored; an empty list when nothing is stored under the name.
  Result<List> load_list(const std::string& list_name) const;
  // The changes the list remembers by idempotency key, oldest first
  // (list_reader.hpp).
  Result<std::vector<RememberedChange>> load_remembered_changes(const std::string& list_name) const;
  // The sequences of the list's undo steps, and one step (list_reader.hpp).
  Result<StoredUndoSequences> load_undo_sequences(const std::string& list_name) const;
  Result<std::optional<UndoStep>> load_undo_step(const std::string& list_name,
                                                 std::uint8_t slot) const;
  // What is stored under the name, key by key (list_reader.hpp): for a rename.
  Result<StoredListKeys> load_list_keys(const std::string& list_name) const;
  // Whether anything is stored under exactly this name (list_reader.hpp): a
  // point read and, when there is no metadata, a seek. A name once stored
  // stays stored, dropped lists too.
  Result<bool> has_list(const std::string& list_name) const;
  // Names of the lists that hold at least one entry, sorted (bytewise): up to
  // limit of them, each after `after`. A list whose metadata is corrupt is
  // listed (and logged): reading it reports it.
  Result<std::vector<std::string>> list_names(const std::string& after, std::size_t limit) const;
  // Names of every stored list, emptied and dropped ones too, sorted (bytewise).
  Result<std::vector<std::string>> stored_list_names() const;

  // A backup of the database as it is now into directory, while reads and
  // writes go on (BackupDirectory::make): for a backup's own thread, as it
  // takes as long as copying what changed since the directory's last one.
  Result<BackupMade> back_up(BackupDirectory& directory, std::uint32_t keep) const;

  // The order of the undo steps the workers wrote, across lists.
  UndoOrder& undo_order() { return *undo_order_; }

  // Totals over all workers.
  std::uint64_t batch_count() const;
  std::uint64_t write_count() const;
  // Times RocksDB was reopened after a failed write.
  std::uint64_t reopen_count() const;
  // Empty while it takes reads and writes; else what is wrong (RocksDbInstance::degraded).
  std::string degraded() const;

 private:
  Database(DataDirectory directory, std::unique_ptr<RocksDbInstance> db, EntryId id_floor,
           std::vector<EncodedUndoHintGroup> undo_hints, const DatabaseOptions& options);

  DataDirectory directory_;
  Durability durability_;
  const EntryId id_floor_;  // the lowest id a new entry may take (id_floor.hpp)
  std::unique_ptr<RocksDbInstance> db_;
  std::unique_ptr<UndoOrder> undo_order_;
  std::vector<std::unique_ptr<DatabaseWorker>> workers_;  // after db_: destroyed first
};

}  // namespace todo
