#include "common/socket_trust.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

namespace todo {
namespace {

std::optional<uid_t> uid_of_user(const char* name) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16'384);
  if (::getpwnam_r(name, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return found->pw_uid;
}

std::string user_name_of(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16'384);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return "uid " + std::to_string(uid);
  }
  return "uid " + std::to_string(uid) + " (" + found->pw_name + ")";
}

std::string mode_of(const struct stat& file) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%04o", static_cast<unsigned>(file.st_mode & 07777));
  return digits;
}

// "owned by uid 65534 (nobody), mode 0777"
std::string described(const struct stat& file) {
  return "owned by " + user_name_of(file.st_uid) + ", mode " + mode_of(file);
}

bool is_trusted_owner(uid_t uid, const SocketTrust& trust) {
  return uid == 0 || std::find(trust.owners.begin(), trust.owners.end(), uid) != trust.owners.end();
}

Error errno_error(const std::string& what, const std::filesystem::path& path) {
  return Error::internal("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

// The path made absolute, refused when a '.' or '..' in it would pass through
// a directory the checks do not see.
Result<std::filesystem::path> checkable_path(const std::filesystem::path& path) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(path, error);
  if (error) return Error::internal("cannot resolve " + path.string() + ": " + error.message());
  for (const auto& part : absolute) {
    if (part == "." || part == "..") {
      return Error::internal(path.string() + " holds '" + part.string() +
                             "': give the socket's path without it");
    }
  }
  return absolute;
}

// The uid that files of owners outside this user namespace show as (65534 by
// default), when this process runs in a user namespace other than the
// initial one; nullopt in the initial one.
std::optional<uid_t> unmapped_owner_uid() {
  std::ifstream uid_map("/proc/self/uid_map");
  std::uint64_t inside = 0;
  std::uint64_t outside = 0;
  std::uint64_t count = 0;
  if (!(uid_map >> inside >> outside >> count)) return std::nullopt;
  const bool is_initial = inside == 0 && outside == 0 && count == 4'294'967'295u;
  if (is_initial) return std::nullopt;
  std::ifstream overflow("/proc/sys/kernel/overflowuid");
  uid_t uid = 65534;
  overflow >> uid;
  return uid;
}

// The directories above a trusted socket directory: nobody untrusted may
// rename one of them, or what is below it, away. In a user namespace (a
// rootless container, unshare --map-root-user), root's directories outside it
// show as owned by the overflow uid, as anyone else's do; they are trusted
// here, above the socket's directory only, or nothing could be.
Result<void> check_ancestors(const std::filesystem::path& directory, const SocketTrust& trust) {
  // Symbolic links on the path as written: nobody untrusted may re-point one.
  std::filesystem::path prefix;
  for (const auto& part : directory.parent_path()) {
    prefix /= part;
    struct stat link {};
    if (::lstat(prefix.c_str(), &link) != 0) return errno_error("inspect", prefix);
    if (S_ISLNK(link.st_mode) && !is_trusted_owner(link.st_uid, trust)) {
      return Error::internal(prefix.string() + " is a symbolic link " + described(link) +
                             ": its owner could point it elsewhere");
    }
  }
  const std::optional<uid_t> unmapped = unmapped_owner_uid();
  // The directories the path resolves to.
  char* resolved = ::realpath(directory.parent_path().c_str(), nullptr);
  if (resolved == nullptr) return errno_error("resolve", directory.parent_path());
  const std::filesystem::path real_parent(resolved);
  std::free(resolved);
  for (std::filesystem::path above = real_parent;; above = above.parent_path()) {
    struct stat file {};
    if (::stat(above.c_str(), &file) != 0) return errno_error("inspect", above);
    if (!is_trusted_owner(file.st_uid, trust) && file.st_uid != unmapped) {
      return Error::internal(above.string() + ", above " + directory.string() + ", is " +
                             described(file) + ": its owner could replace what is below it");
    }
    const bool is_shared = (file.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    if (is_shared && (file.st_mode & S_ISVTX) == 0) {
      return Error::internal(above.string() + ", above " + directory.string() + ", is " +
                             described(file) +
                             " and not sticky: others could rename what is below it");
    }
    if (above == above.root_path()) return {};
  }
}

}  // namespace

SocketTrust SocketTrust::for_daemon() { return {{::geteuid()}}; }

SocketTrust SocketTrust::for_client() {
  SocketTrust trust = for_daemon();
  if (const auto service_uid = uid_of_user(kServiceAccount)) trust.owners.push_back(*service_uid);
  return trust;
}

Result<void> make_socket_directory(const std::filesystem::path& directory) {
  auto absolute = checkable_path(directory);
  if (!absolute) return absolute.error();
  std::filesystem::path prefix;
  for (const auto& part : absolute.value()) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return errno_error("create", prefix);
    }
  }
  return {};
}

Result<void> check_trusted_directory(const std::filesystem::path& directory,
                                     const SocketTrust& trust) {
  auto checkable = checkable_path(directory);
  if (!checkable) return checkable.error();
  const std::filesystem::path& absolute = checkable.value();
  struct stat file {};
  if (::lstat(absolute.c_str(), &file) != 0) return errno_error("inspect", absolute);
  if (S_ISLNK(file.st_mode)) {
    return Error::internal(absolute.string() + " is a symbolic link " + described(file) +
                           ", not a directory: whoever owns it, or what it points to, could "
                           "replace what is in it");
  }
  if (!S_ISDIR(file.st_mode)) return Error::internal(absolute.string() + " is not a directory");
  if (!is_trusted_owner(file.st_uid, trust)) {
    return Error::internal(absolute.string() + " is " + described(file) +
                           ": its owner could replace what is in it");
  }
  if ((file.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Error::internal(absolute.string() + " is " + described(file) +
                           ": others could replace what is in it (chmod go-w)");
  }
  return check_ancestors(absolute, trust);
}

Result<void> check_socket_file(const std::filesystem::path& socket, const SocketTrust& trust) {
  struct stat file {};
  if (::lstat(socket.c_str(), &file) != 0) {
    if (errno == ENOENT) return Error::not_found("no socket at " + socket.string());
    return errno_error("inspect", socket);
  }
  if (!S_ISSOCK(file.st_mode)) {
    return Error::internal(socket.string() + " is not a socket (" + described(file) + ")");
  }
  if (!is_trusted_owner(file.st_uid, trust)) {
    return Error::internal("the socket " + socket.string() + " is " + described(file) +
                           ": it is not this user's todod, nor the system service's");
  }
  return {};
}

}  // namespace todo
