#include "common/curve_key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace todo {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr std::string_view kPublicKeyName = "public-key";
constexpr std::string_view kSecretKeyName = "secret-key";
// Far more than a key file holds: a larger file is not one.
constexpr std::streamsize kMaxKeyFileBytes = 4096;

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

Result<KeyFile> parse_key_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return Error::invalid("cannot read key file " + file.string() + ": " + std::strerror(errno));
  std::string text(kMaxKeyFileBytes + 1, '\0');
  in.read(text.data(), kMaxKeyFileBytes + 1);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > static_cast<std::size_t>(kMaxKeyFileBytes)) {
    return Error::invalid(file.string() + " is too large to be a key file");
  }
  KeyFile keys;
  std::istringstream lines(text);
  std::size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string_view content = trimmed(line);
    if (content.empty() || content.front() == '#') continue;
    const auto equals = content.find('=');
    const std::string where = file.string() + " line " + std::to_string(number);
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

Result<CurveKeyPair> read_curve_key_pair(const std::filesystem::path& file) {
  auto keys = parse_key_file(file);
  if (!keys) return keys.error();
  if (!keys.value().secret_key || !keys.value().public_key) {
    return Error::invalid(file.string() + " holds no key pair (public-key and secret-key); " +
                          "`todo keygen FILE` writes one");
  }
  struct stat status {};
  if (::stat(file.c_str(), &status) != 0) {
    return Error::invalid("cannot read key file " + file.string() + ": " + std::strerror(errno));
  }
  if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Error::invalid(file.string() + " holds a secret key and its group or others can read " +
                          "it: chmod 600 " + file.string());
  }
  return CurveKeyPair{*keys.value().public_key, *keys.value().secret_key};
}

Result<std::string> read_curve_public_key(const std::filesystem::path& file) {
  auto keys = parse_key_file(file);
  if (!keys) return keys.error();
  if (!keys.value().public_key) return Error::invalid(file.string() + " holds no public-key");
  return *keys.value().public_key;
}

Result<void> write_curve_key_pair(const std::filesystem::path& file, const CurveKeyPair& keys) {
  if (std::filesystem::exists(public_file_of(file))) {
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
