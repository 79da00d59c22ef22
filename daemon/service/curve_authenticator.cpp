#include "daemon/service/curve_authenticator.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>
#include <zmq.hpp>

#include "common/curve_key_file.hpp"
#include "common/socket_trust.hpp"
#include "daemon/runtime/log.hpp"

namespace todo {
namespace {

// Where libzmq looks for a context's ZAP handler (RFC 27).
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr std::string_view kZapVersion = "1.0";
constexpr std::size_t kCurvePublicKeyBytes = 32;
constexpr auto kRefusalLogInterval = std::chrono::seconds(1);

std::string z85_of(const zmq::message_t& binary_key) {
  char text[kCurveKeyLength + 1] = {};
  if (zmq_z85_encode(text, binary_key.data<std::uint8_t>(), binary_key.size()) == nullptr) {
    return {};
  }
  return text;
}

constexpr auto kKeysRereadInterval = std::chrono::seconds(1);

bool is_same_time(const std::timespec& a, const std::timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// The public key in one file of the directory, read without following a
// symbolic link; an error says why the file does not count.
Result<std::string> authorized_key_in(int directory_fd, const std::string& name) {
  auto file = read_key_file_at(directory_fd, name, O_NOFOLLOW);
  if (!file) return file.error();
  const struct stat& status = file.value().status;
  if (status.st_uid != 0 && status.st_uid != ::geteuid()) {
    return Error::invalid("owned by uid " + std::to_string(status.st_uid) + ", not todod's user");
  }
  if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Error::invalid("writable by its group or others");
  }
  return curve_public_key_in(file.value().text, name);
}

}  // namespace

Result<std::unique_ptr<CurveAuthenticator>> CurveAuthenticator::start(
    zmq::context_t& context, const std::filesystem::path& authorized_keys) {
  if (auto checked = check_trusted_directory(authorized_keys, SocketTrust::for_daemon());
      !checked) {
    return Error::invalid("refusing the authorized CURVE keys directory: " +
                          checked.error().message);
  }
  auto socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::rep);
  socket->set(zmq::sockopt::linger, 0);
  try {
    socket->bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    return Error::internal(std::string("cannot start the CURVE authenticator: ") + e.what());
  }
  return std::unique_ptr<CurveAuthenticator>(
      new CurveAuthenticator(std::move(socket), authorized_keys));
}

CurveAuthenticator::CurveAuthenticator(std::unique_ptr<zmq::socket_t> socket,
                                       std::filesystem::path authorized_keys)
    : socket_(std::move(socket)), authorized_keys_(std::move(authorized_keys)) {}

CurveAuthenticator::~CurveAuthenticator() { socket_->close(); }

void* CurveAuthenticator::socket_handle() const { return socket_->handle(); }

void CurveAuthenticator::answer_requests() {
  for (;;) {
    std::vector<zmq::message_t> frames;
    zmq::message_t frame;
    if (!socket_->recv(frame, zmq::recv_flags::dontwait)) return;
    frames.push_back(std::move(frame));
    while (frames.back().more()) {
      zmq::message_t next;
      if (!socket_->recv(next, zmq::recv_flags::none)) break;
      frames.push_back(std::move(next));
    }
    // version, request id, domain, address, identity, mechanism, credentials...
    const bool is_request = frames.size() >= 6 && frames[0].to_string_view() == kZapVersion;
    const std::string request_id = frames.size() > 1 ? frames[1].to_string() : std::string();
    const std::string address = frames.size() > 3 ? frames[3].to_string() : std::string();
    std::string status = "400";
    std::string status_text = "no such key";
    std::string user;
    if (!is_request) {
      status = "500";
      status_text = "not a ZAP request";
    } else if (frames[5].to_string_view() == "NULL") {
      // Only an ipc:// endpoint speaks NULL here: every tcp:// one is bound
      // CURVE only. Its socket's directory decided who may connect.
      status = "200";
      status_text = "OK";
    } else if (frames[5].to_string_view() != "CURVE") {
      status_text = "CURVE only";
    } else if (frames.size() != 7 || frames[6].size() != kCurvePublicKeyBytes) {
      status_text = "malformed CURVE credentials";
    } else if (const auto name = authorized_name(z85_of(frames[6]))) {
      status = "200";
      status_text = "OK";
      user = *name;
    }
    if (status != "200") log_refusal(address, status_text);
    const std::vector<std::string> reply = {
        std::string(kZapVersion), request_id, status, status_text, user, std::string()};
    for (std::size_t i = 0; i < reply.size(); ++i) {
      socket_->send(zmq::buffer(reply[i]),
                    i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }
}

std::optional<std::string> CurveAuthenticator::authorized_name(const std::string& key) {
  refresh_keys();
  const auto found = name_of_key_.find(key);
  if (found == name_of_key_.end()) return std::nullopt;
  return found->second;
}

void CurveAuthenticator::refresh_keys() {
  struct stat directory {};
  const auto now = std::chrono::steady_clock::now();
  const bool is_stat = ::stat(authorized_keys_.c_str(), &directory) == 0;
  if (is_stat && keys_read_at_mtime_ && is_same_time(*keys_read_at_mtime_, directory.st_mtim) &&
      now - keys_read_at_ < kKeysRereadInterval) {
    return;
  }
  keys_read_at_ = now;
  keys_read_at_mtime_.reset();
  name_of_key_.clear();
  // Read by the directory's own rule again: its mode or owner may have changed.
  if (auto trusted = check_trusted_directory(authorized_keys_, SocketTrust::for_daemon());
      !trusted) {
    log_event("letting no CURVE client in: " + trusted.error().message);
    return;
  }
  const int fd = ::open(authorized_keys_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    log_event("letting no CURVE client in: cannot read " + authorized_keys_.string() + ": " +
              std::strerror(errno));
    return;
  }
  DIR* entries = ::fdopendir(fd);
  if (entries == nullptr) {
    ::close(fd);
    return;
  }
  std::string ignored;
  while (const dirent* entry = ::readdir(entries)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    auto key = authorized_key_in(::dirfd(entries), name);
    if (key) {
      name_of_key_.emplace(std::move(key).value(), name);
    } else {
      ignored += (ignored.empty() ? "" : "; ") + name + ": " + key.error().message;
    }
  }
  ::closedir(entries);
  if (is_stat) keys_read_at_mtime_ = directory.st_mtim;
  if (!ignored.empty() && ignored != last_ignored_) {
    log_event("ignoring files in " + authorized_keys_.string() +
              " that are not usable keys: " + ignored);
  }
  last_ignored_ = ignored;
}

void CurveAuthenticator::log_refusal(const std::string& address, const std::string& why) {
  ++refusal_count_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_logged_ < kRefusalLogInterval) {
    ++refusals_not_logged_;
    return;
  }
  std::string line = "refused a CURVE client from " + address + ": " + why + " (keys in " +
                     authorized_keys_.string() + ")";
  if (refusals_not_logged_ > 0) {
    line += "; " + std::to_string(refusals_not_logged_) + " more refused since the last such line";
  }
  log_event(line);
  refusals_not_logged_ = 0;
  last_refusal_logged_ = now;
}

}  // namespace todo
