#include "daemon/service/curve_authenticator.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>
#include <zmq.hpp>

#include "common/curve_key_file.hpp"
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

Result<void> check_authorized_keys_directory(const std::filesystem::path& directory) {
  struct stat status {};
  if (::stat(directory.c_str(), &status) != 0) {
    return Error::invalid("cannot read the authorized CURVE keys directory " + directory.string() +
                          ": " + std::strerror(errno));
  }
  if (!S_ISDIR(status.st_mode)) {
    return Error::invalid("--curve-allow " + directory.string() + " is not a directory");
  }
  if (status.st_uid != 0 && status.st_uid != ::geteuid()) {
    return Error::invalid("the authorized CURVE keys directory " + directory.string() +
                          " belongs to uid " + std::to_string(status.st_uid) +
                          ", who could let anyone in: it must be this user's or root's");
  }
  if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Error::invalid("the authorized CURVE keys directory " + directory.string() +
                          " is writable by its group or others, who could let anyone in: "
                          "chmod go-w " +
                          directory.string());
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<CurveAuthenticator>> CurveAuthenticator::start(
    zmq::context_t& context, const std::filesystem::path& authorized_keys) {
  if (auto checked = check_authorized_keys_directory(authorized_keys); !checked) {
    return checked.error();
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
    } else if (frames[5].to_string_view() != "CURVE") {
      // Only the tcp:// endpoints ask, and they speak nothing but CURVE.
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

std::optional<std::string> CurveAuthenticator::authorized_name(const std::string& key) const {
  if (key.empty()) return std::nullopt;
  std::error_code error;
  for (const auto& file : std::filesystem::directory_iterator(authorized_keys_, error)) {
    if (!file.is_regular_file(error)) continue;
    const auto public_key = read_curve_public_key(file.path());
    if (public_key && public_key.value() == key) return file.path().filename().string();
  }
  return std::nullopt;
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
