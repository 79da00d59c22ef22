// Makes backups (MakeBackup, `todo backup DIR`) while todod serves, one at a
// time, on a thread of its own: a backup copies the whole database, which can
// take minutes, and must hold neither a front door's thread nor a pool thread
// that the actors need. A backup asked for while one is being made is refused
// busy, naming where the first goes: two at once would only compete for the
// disk.
//
// The backup holds the database's shared lock while it copies
// (RocksDbInstance::with_db): lists are read and written meanwhile, but a
// reopen after a failed write waits for the backup to end.
//
// Thread safety: start() may be called from any thread; `done` is called on
// the backup's thread. The destructor stops a backup in progress, which is
// then answered busy ("todod is stopping"), and waits for its thread.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "common/protocol.hpp"
#include "common/result.hpp"
#include "daemon/runtime/mutex.hpp"

namespace todo {

class BackupDirectory;
class Database;

class BackupMaker {
 public:
  using Done = std::function<void(Result<BackupMade>)>;

  explicit BackupMaker(Database& database);
  BackupMaker(const BackupMaker&) = delete;
  BackupMaker& operator=(const BackupMaker&) = delete;
  ~BackupMaker();

  // Starts the backup; done is told how it went. While another is being
  // made, done is told busy at once, on the calling thread.
  void start(MakeBackup request, Done done) EXCLUDES(mutex_);

 private:
  void make(const MakeBackup& request, const Done& done) EXCLUDES(mutex_);

  Database& database_;
  Mutex mutex_;
  bool is_stopping_ GUARDED_BY(mutex_) = false;
  // Where the backup being made goes; empty while none is (a backup's
  // directory is an absolute path, never empty).
  std::string making_into_ GUARDED_BY(mutex_);
  // The directory being written, for the destructor to stop it.
  std::shared_ptr<BackupDirectory> current_ GUARDED_BY(mutex_);
  // The last backup's thread; joined before the next starts, and by the
  // destructor.
  std::jthread thread_ GUARDED_BY(mutex_);
};

}  // namespace todo
