// A directory of backups of todod's data, made by RocksDB's BackupEngine
// while todod serves, and restored from it into a fresh data directory.
//
// A backup is a consistent point in the database: the engine keeps RocksDB
// from deleting files while it copies the live table files and the write-ahead
// log, so every change acknowledged before the backup started is in it, and
// none is half in. Nothing is flushed first: with --sync the log holds every
// acknowledged change, and a flush would stall writers for the length of a
// memtable write. Table files are shared between the backups of one
// directory, so a second backup copies only the table files that changed,
// and the log (at most one memtable's worth) again; each file's checksum is
// kept and checked again on restore.
//
// The access tokens (access_token_file.hpp) live beside RocksDB, not in it:
// each backup carries a copy of their file in the engine's metadata of that
// backup, {"format": 1, "access_tokens": "<the file's text>"} in JSON, so a
// restore brings back the tokens of the same moment. The engine keeps at most
// kMaxMetadataBytes of it; past that the backup is refused, naming the size.
//
// The directory is created with mode 0700, as the data directory is: a backup
// holds every list. An existing directory is taken only when it is empty or
// holds todod's backups (kMarkerFileName), as the engine deletes what no
// backup names in its folders; and only when todod's user owns it and nobody
// else may enter it. One inside the data directory or holding it is refused.
//
// Thread safety: one make() at a time per BackupDirectory; stop() may be
// called from any thread, before or during make(). restore_backup() is a
// function for a todod that is not serving.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/protocol.hpp"
#include "common/result.hpp"
#include "daemon/runtime/mutex.hpp"

namespace rocksdb {
class BackupEngine;
class DB;
}  // namespace rocksdb

namespace todo {

class BackupDirectory {
 public:
  // BackupEngine's bound on a backup's metadata (kMaxAppMetaSize in
  // backup_engine.cc, RocksDB 7.8). An access token file that large holds
  // thousands of tokens; todod keeps at most 1,000.
  static constexpr std::size_t kMaxMetadataBytes = 1024 * 1024;
  // Written into a directory before its first backup: a directory holding it
  // is one todod may write and delete backups in.
  static constexpr const char* kMarkerFileName = "TODO-BACKUPS";

  // Creates dir (mode 0700, not its parents) when missing, and opens the
  // engine on it. data_dir: the data directory, which dir must be apart from.
  static Result<std::unique_ptr<BackupDirectory>> open(const std::filesystem::path& dir,
                                                       const std::filesystem::path& data_dir);

  BackupDirectory(const BackupDirectory&) = delete;
  BackupDirectory& operator=(const BackupDirectory&) = delete;
  ~BackupDirectory();

  // Backs db up, with the access token file as it is now, then deletes all
  // but the newest `keep` backups (0: keeps every one).
  Result<BackupMade> make(rocksdb::DB& db, std::uint32_t keep) EXCLUDES(mutex_);

  // Makes a make() in progress, or the next one, fail soon: todod is stopping.
  void stop() EXCLUDES(mutex_);

 private:
  BackupDirectory(std::filesystem::path dir, std::filesystem::path data_dir,
                  std::unique_ptr<rocksdb::BackupEngine> engine);

  const std::filesystem::path dir_;
  const std::filesystem::path data_dir_;
  Mutex mutex_;
  // StopBackup() may come from another thread while make() copies; the
  // engine is never replaced, so make() uses it without the lock.
  const std::unique_ptr<rocksdb::BackupEngine> engine_;
  bool is_stopped_ GUARDED_BY(mutex_) = false;
};

// What a restore put in place.
struct RestoredBackup {
  std::uint32_t id = 0;
  std::int64_t made_unix = 0;
  bool has_access_tokens = false;
};

// Restores backup `id` of backup_dir, or its newest when none is given, as
// data_dir, which must not exist yet or be an empty directory: a restore never
// mixes with or replaces lists that are there. The backup is restored beside
// it, into DATA_DIR.restoring (mode 0700), every file checked against the
// checksum the backup took, then renamed into place: a crash or a failure
// leaves no half-restored data directory, and a todod started on data_dir
// meanwhile makes the rename fail rather than lose its lists.
Result<RestoredBackup> restore_backup(const std::filesystem::path& backup_dir,
                                      std::optional<std::uint32_t> id,
                                      const std::filesystem::path& data_dir);

}  // namespace todo
