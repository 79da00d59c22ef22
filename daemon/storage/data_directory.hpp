// The directory todod keeps its data in, held exclusively: open() creates it
// when missing (mode 0700: lists are private; an existing one keeps its mode), then takes an
// exclusive flock on a lock file inside it. A second todod on the same directory is refused with a
// message naming the path; the lock goes when the holder exits, even by kill -9, so a crash never
// leaves a stale lock behind.
//
// Thread safety: immutable after open(); move-only.
#pragma once

#include <filesystem>

#include "common/result.hpp"

namespace todo {

class DataDirectory {
 public:
  static constexpr const char* kLockFileName = "todod.lock";

  static Result<DataDirectory> open(const std::filesystem::path& path);

  DataDirectory(DataDirectory&& other) noexcept;
  DataDirectory& operator=(DataDirectory&& other) noexcept;
  DataDirectory(const DataDirectory&) = delete;
  DataDirectory& operator=(const DataDirectory&) = delete;
  ~DataDirectory();

  const std::filesystem::path& path() const { return path_; }

 private:
  DataDirectory(std::filesystem::path path, int lock_fd);

  std::filesystem::path path_;
  int lock_fd_ = -1;
};

}  // namespace todo
