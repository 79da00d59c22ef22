#include "common/curve_key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>

namespace todo {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr std::string_view kPublicKeyName = "public-key";
constexpr std::string_view kSecretKeyName = "secret-key";
// Far more than a key file holds: a larger file is not one.
constexpr std::size_t kMaxKeyFileBytes = 4096;

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

struct KeyFile {
  std::optional<std::string> public_key;
  std::optional<std::string> secret_key;
};

Result<KeyFile> parse_key_text(std::string_view text, const std::string& source) {
  if (text.size() > kMaxKeyFileBytes)
    return Error::invalid(source + " is too large to be a key file");
  KeyFile keys;
  std::istringstream lines{std::string(text)};
  std::size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string_view content = trimmed(line);
    if (content.empty() || content.front() == '#') continue;
    const auto equals = content.find('=');
    const std::string where = source + " line " + std::to_string(number);
    if (equals == std::string_view::npos) {
      return Error::invalid(where + " is not 'public-key = KEY' or 'secret-key = KEY'");
    }
    const std::string_view name = trimmed(content.substr(0, equals));
    const std::string_view value = trimmed(content.substr(equals + 1));
    if (name != kPublicKeyName && name != kSecretKeyName) {
      return Error::invalid(where + ": unknown name '" + std::string(name) +
                            "' (expected public-key or secret-key)");
    }
    if (!is_curve_key_text(value)) {
      return Error::invalid(where + ": " + std::string(name) +
                            " is not a Z85 CURVE key (40 characters)");
    }
    (name == kPublicKeyName ? keys.public_key : keys.secret_key) = std::string(value);
  }
  return keys;
}

}  // namespace

Result<KeyFileContents> read_key_file_at(int directory_fd, const std::filesystem::path& file,
                                         int open_flags) {
  const auto cannot = [&](const std::string& why) {
    return Error::invalid("cannot read key file " + file.string() + ": " + why);
  };
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const int fd =
      ::openat(directory_fd, file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | open_flags);
  if (fd < 0) return cannot(std::strerror(errno));
  KeyFileContents opened;
  if (::fstat(fd, &opened.status) != 0 || !S_ISREG(opened.status.st_mode)) {
    ::close(fd);
    return cannot("not a regular file");
  }
  char buffer[kMaxKeyFileBytes + 1];
  std::size_t size = 0;
  for (ssize_t n = 0; size < sizeof buffer; size += static_cast<std::size_t>(n)) {
    n = ::read(fd, buffer + size, sizeof buffer - size);
    if (n < 0 && errno == EINTR) n = 0;
    if (n <= 0) break;
  }
  ::close(fd);
  opened.text.assign(buffer, size);
  return opened;
}

namespace {

Result<void> write_new_file(const std::filesystem::path& file, const std::string& text,
                            mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return Error::invalid("cannot create " + file.string() + ": " + std::strerror(errno) +
                          (errno == EEXIST ? " (an existing key is never overwritten)" : ""));
  }
  // The mode asked for, whatever the umask: a public key must be readable.
  const bool is_written =
      ::fchmod(fd, mode) == 0 &&
      ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
      ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!is_written) {
    ::unlink(file.c_str());
    return Error::internal("cannot write " + file.string() + ": " + std::strerror(saved_errno));
  }
  return {};
}

std::filesystem::path public_file_of(const std::filesystem::path& file) {
  return std::filesystem::path(file.string() + ".pub");
}

}  // namespace

bool is_curve_key_text(std::string_view text) {
  return text.size() == kCurveKeyLength &&
         text.find_first_not_of(kZ85Alphabet) == std::string_view::npos;
}

Result<CurveKeyPair> generate_curve_key_pair() {
  char public_key[kCurveKeyLength + 1] = {};
  char secret_key[kCurveKeyLength + 1] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return Error::internal(std::string("cannot make a CURVE key pair: ") +
                           zmq_strerror(zmq_errno()));
  }
  return CurveKeyPair{public_key, secret_key};
}

Result<CurveKeyPair> read_curve_key_pair(const std::filesystem::path& file) {
  auto opened = read_key_file_at(AT_FDCWD, file);
  if (!opened) return opened.error();
  auto keys = parse_key_text(opened.value().text, file.string());
  if (!keys) return keys.error();
  if (!keys.value().secret_key || !keys.value().public_key) {
    return Error::invalid(file.string() + " holds no key pair (public-key and secret-key); " +
                          "`todo keygen FILE` writes one");
  }
  if ((opened.value().status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Error::invalid(file.string() + " holds a secret key and its group or others can read " +
                          "it: chmod 600 " + file.string());
  }
  char derived[kCurveKeyLength + 1] = {};
  if (zmq_curve_public(derived, keys.value().secret_key->c_str()) != 0 ||
      *keys.value().public_key != derived) {
    return Error::invalid(file.string() + ": its public-key is not the one its secret-key makes");
  }
  return CurveKeyPair{*keys.value().public_key, *keys.value().secret_key};
}

Result<std::string> curve_public_key_in(std::string_view text, const std::string& source) {
  auto keys = parse_key_text(text, source);
  if (!keys) return keys.error();
  if (!keys.value().public_key) return Error::invalid(source + " holds no public-key");
  return *keys.value().public_key;
}

Result<std::string> read_curve_public_key(const std::filesystem::path& file) {
  auto opened = read_key_file_at(AT_FDCWD, file);
  if (!opened) return opened.error();
  return curve_public_key_in(opened.value().text, file.string());
}

Result<void> write_curve_key_pair(const std::filesystem::path& file, const CurveKeyPair& keys) {
  std::error_code ignored;
  if (std::filesystem::exists(public_file_of(file), ignored)) {
    return Error::invalid("cannot create " + public_file_of(file).string() +
                          ": it exists (an existing key is never overwritten)");
  }
  const std::string public_line = std::string(kPublicKeyName) + " = " + keys.public_key + "\n";
  const std::string secret_text =
      "# A todo CURVE key pair. The secret key lets whoever holds it act as you:\n"
      "# keep this file mode 0600 and give out only " +
      public_file_of(file).filename().string() + ".\n" + public_line + std::string(kSecretKeyName) +
      " = " + keys.secret_key + "\n";
  if (auto written = write_new_file(file, secret_text, 0600); !written) return written;
  if (auto written = write_new_file(public_file_of(file), public_line, 0644); !written) {
    ::unlink(file.c_str());
    return written;
  }
  return {};
}

}  // namespace todo
