// A RocksDB FileSystem over the real one that fails writes on demand: the
// data directory turning read-only under a running database, or a burst of
// failing writes. Reads always pass through.
//
// A failed call fails before it reaches the real file, as a file system that
// refuses a write does (EROFS, EIO on submission): nothing half-written.
//
// Thread safety: the switches may be flipped from any thread while RocksDB
// runs on others.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>

namespace todo::testing {

class FailingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FailingFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

  // Every write, sync, new file, rename and lock fails until switched off.
  void set_read_only(bool is_read_only) { is_read_only_.store(is_read_only); }
  // Every file open, for reading too, fails until switched off, as when the
  // process has run out of file descriptors: not even a read-only open works.
  void set_unopenable(bool is_unopenable) { is_unopenable_.store(is_unopenable); }
  // The next `count` appends to open files fail; then they work again.
  void fail_next_appends(int count) { appends_to_fail_.store(count); }
  // The next `count` syncs of open files fail, after what they were to make
  // durable was written (in the page cache): a failed write may then be on
  // disk after all.
  void fail_next_syncs(int count) { syncs_to_fail_.store(count); }
  // Calls failed so far.
  int failures() const { return failures_.load(); }

  const char* Name() const override { return "FailingFileSystem"; }

  rocksdb::IOStatus NewSequentialFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* file,
                                      rocksdb::IODebugContext* debug) override {
    if (should_fail_open()) return out_of_descriptors();
    return target()->NewSequentialFile(name, options, file, debug);
  }
  rocksdb::IOStatus NewRandomAccessFile(const std::string& name,
                                        const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* file,
                                        rocksdb::IODebugContext* debug) override {
    if (should_fail_open()) return out_of_descriptors();
    return target()->NewRandomAccessFile(name, options, file, debug);
  }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    if (should_fail_open()) return out_of_descriptors();
    if (should_fail()) return injected();
    auto status = target()->NewWritableFile(name, options, file, debug);
    if (status.ok()) *file = std::make_unique<FailingFile>(std::move(*file), *this);
    return status;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override {
    if (should_fail()) return injected();
    auto status = target()->ReopenWritableFile(name, options, file, debug);
    if (status.ok()) *file = std::make_unique<FailingFile>(std::move(*file), *this);
    return status;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* debug) override {
    if (should_fail()) return injected();
    auto status = target()->ReuseWritableFile(name, old_name, options, file, debug);
    if (status.ok()) *file = std::make_unique<FailingFile>(std::move(*file), *this);
    return status;
  }
  rocksdb::IOStatus NewRandomRWFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    if (should_fail()) return injected();
    return target()->NewRandomRWFile(name, options, file, debug);
  }
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
    if (should_fail()) return injected();
    return target()->RenameFile(from, to, options, debug);
  }
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
    if (should_fail()) return injected();
    return target()->LinkFile(from, to, options, debug);
  }
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
    if (should_fail()) return injected();
    return target()->DeleteFile(name, options, debug);
  }
  // Opening the lock file for writing fails on a read-only file system.
  rocksdb::IOStatus LockFile(const std::string& name, const rocksdb::IOOptions& options,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* debug) override {
    if (should_fail()) return injected();
    return target()->LockFile(name, options, lock, debug);
  }

 private:
  class FailingFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    FailingFile(std::unique_ptr<rocksdb::FSWritableFile> file, FailingFileSystem& owner)
        : FSWritableFileOwnerWrapper(std::move(file)), owner_(owner) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (owner_.should_fail_append()) return injected();
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (owner_.should_fail_append()) return injected();
      return target()->Append(data, options, info, debug);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* debug) override {
      if (owner_.should_fail_append()) return injected();
      return target()->PositionedAppend(data, offset, options, debug);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       const rocksdb::DataVerificationInfo& info,
                                       rocksdb::IODebugContext* debug) override {
      if (owner_.should_fail_append()) return injected();
      return target()->PositionedAppend(data, offset, options, info, debug);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
      if (owner_.should_fail_sync()) return injected_sync_failure();
      return target()->Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      if (owner_.should_fail_sync()) return injected_sync_failure();
      return target()->Fsync(options, debug);
    }
    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t bytes, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* debug) override {
      if (owner_.should_fail()) return injected();
      return target()->RangeSync(offset, bytes, options, debug);
    }

   private:
    FailingFileSystem& owner_;
  };

  static rocksdb::IOStatus injected() {
    return rocksdb::IOStatus::IOError("injected fault", "Read-only file system");
  }
  // Worded as RocksDB's POSIX file system words a failed fdatasync.
  static rocksdb::IOStatus injected_sync_failure() {
    return rocksdb::IOStatus::IOError("While fdatasync", "injected fault: Input/output error");
  }
  static rocksdb::IOStatus out_of_descriptors() {
    return rocksdb::IOStatus::IOError("injected fault", "Too many open files");
  }
  bool should_fail_open() {
    if (!is_unopenable_.load()) return false;
    failures_.fetch_add(1);
    return true;
  }
  bool should_fail() {
    if (!is_read_only_.load()) return false;
    failures_.fetch_add(1);
    return true;
  }
  bool should_fail_append() { return should_fail() || take_one(appends_to_fail_); }
  bool should_fail_sync() { return should_fail() || take_one(syncs_to_fail_); }
  bool take_one(std::atomic<int>& left_to_fail) {
    for (int left = left_to_fail.load(); left > 0;) {
      if (left_to_fail.compare_exchange_weak(left, left - 1)) {
        failures_.fetch_add(1);
        return true;
      }
    }
    return false;
  }

  std::atomic<bool> is_read_only_{false};
  std::atomic<bool> is_unopenable_{false};
  std::atomic<int> appends_to_fail_{0};
  std::atomic<int> syncs_to_fail_{0};
  std::atomic<int> failures_{0};
};

// An Env that works through fs, for DatabaseOptions::env.
inline std::unique_ptr<rocksdb::Env> env_over(const std::shared_ptr<rocksdb::FileSystem>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace todo::testing
