#include "daemon/backup_maker.hpp"

#include "daemon/database.hpp"
#include "daemon/storage/backup_directory.hpp"

namespace todo {

BackupMaker::BackupMaker(Database& database) : database_(database) {}

BackupMaker::~BackupMaker() {
  std::jthread last;
  {
    MutexLock lock(mutex_);
    is_stopping_ = true;
    if (current_) current_->stop();
    last = std::move(thread_);
  }
  // Joined outside the lock, which the backup's thread takes to finish.
}

void BackupMaker::start(MakeBackup request, Done done) {
  std::string refusal;
  {
    MutexLock lock(mutex_);
    if (!making_into_.empty()) {
      refusal = "a backup into " + making_into_ + " is being made; ask again when it is done";
    } else if (is_stopping_) {
      refusal = "todod is stopping: no backup was made";
    } else {
      making_into_ = request.directory;
      // The last backup's thread cleared making_into_ and has at most its
      // answer left to send, which never waits: this join is short.
      if (thread_.joinable()) thread_.join();
      thread_ = std::jthread(
          [this, request = std::move(request), done = std::move(done)] { make(request, done); });
      return;
    }
  }
  done(Error::busy(std::move(refusal)));
}

void BackupMaker::make(const MakeBackup& request, const Done& done) {
  Result<BackupMade> made = [&]() -> Result<BackupMade> {
    try {
      auto opened = BackupDirectory::open(request.directory, database_.data_dir());
      if (!opened) return opened.error();
      std::shared_ptr<BackupDirectory> directory = std::move(opened).value();
      {
        MutexLock lock(mutex_);
        // A stop that came before current_ was set is passed on here.
        if (is_stopping_) directory->stop();
        current_ = directory;
      }
      return database_.back_up(*directory, request.keep);
    } catch (const std::exception& e) {
      // Not past this thread: an exception here would end todod.
      return Error::internal("backup into " + request.directory + " failed: " + e.what());
    }
  }();
  {
    MutexLock lock(mutex_);
    current_.reset();
    // Before the answer, so that a client that asks again once answered
    // never finds this backup still being made.
    making_into_.clear();
  }
  done(std::move(made));
}

}  // namespace todo
