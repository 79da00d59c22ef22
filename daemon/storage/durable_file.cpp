#include "daemon/storage/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace todo {
namespace {

Error system_error(const std::string& what, const std::filesystem::path& path) {
  return Error::internal("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

Result<void> sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return system_error("open", path);
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return system_error("sync", path);
  return {};
}

}  // namespace

Result<void> write_durably(const std::filesystem::path& file, std::string_view contents) {
  const std::filesystem::path partial = file.string() + ".partial";
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return system_error("create", partial);
  const bool is_written =
      ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
      ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  if (!is_written) {
    errno = write_errno;
    return system_error("write", partial);
  }
  if (::rename(partial.c_str(), file.c_str()) != 0) return system_error("rename", partial);
  return sync_directory(file.parent_path());
}

Result<void> sync_directory(const std::filesystem::path& dir) {
  return sync_path(dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace todo
