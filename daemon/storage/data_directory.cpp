#include "daemon/storage/data_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace todo {

Result<DataDirectory> DataDirectory::open(const std::filesystem::path& path) {
  std::error_code error;
  const bool is_created = std::filesystem::create_directories(path, error);
  if (error) {
    return Error::internal("cannot create data directory " + path.string() + ": " +
                           error.message());
  }
  if (!std::filesystem::is_directory(path, error)) {
    return Error::internal("data directory " + path.string() + " is not a directory");
  }
  // Only a directory we made: an existing one keeps the modes its owner chose.
  if (is_created) {
    std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }

  const std::filesystem::path lock_path = path / kLockFileName;
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::internal("cannot open lock file " + lock_path.string() + ": " +
                           std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_errno = errno;
    ::close(fd);
    if (lock_errno == EWOULDBLOCK) {
      // What to do is the same for a second todod and for `todod --check`.
      return Error::internal("data directory " + path.string() +
                             " is in use by another todod (it holds " + lock_path.string() +
                             "); stop that todod first");
    }
    return Error::internal("cannot lock " + lock_path.string() + ": " + std::strerror(lock_errno));
  }
  return DataDirectory(path, fd);
}

DataDirectory::DataDirectory(std::filesystem::path path, int lock_fd)
    : path_(std::move(path)), lock_fd_(lock_fd) {}

DataDirectory::DataDirectory(DataDirectory&& other) noexcept
    : path_(std::move(other.path_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

DataDirectory& DataDirectory::operator=(DataDirectory&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    path_ = std::move(other.path_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

DataDirectory::~DataDirectory() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace todo
