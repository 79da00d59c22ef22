#include "bench/zmtp_connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace todo::bench {
namespace {

using Clock = std::chrono::steady_clock;

// RFC 23: a greeting is 64 bytes; a frame's first byte holds these flags.
constexpr std::size_t kGreetingBytes = 64;
constexpr unsigned char kMoreFlag = 0x01;
constexpr unsigned char kLongFlag = 0x02;
constexpr unsigned char kCommandFlag = 0x04;
constexpr std::size_t kMaxShortFrameBytes = 255;
// Far over any reply todod sends (all of a list's entries), so only a broken
// peer reaches it.
constexpr std::uint64_t kMaxFrameBytes = 64u << 20;
constexpr std::size_t kMinReadRoom = 16 << 10;

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// Signature, version 3.0, mechanism NULL, as-server 0, filler.
std::string greeting() {
  std::string bytes(kGreetingBytes, '\0');
  bytes[0] = '\xff';
  bytes[9] = '\x7f';
  bytes[10] = 3;
  std::memcpy(&bytes[12], "NULL", 4);
  return bytes;
}

std::string check_peer_greeting(const char* bytes) {
  if (static_cast<unsigned char>(bytes[0]) != 0xff || bytes[9] != 0x7f) {
    return "the peer's greeting is not ZMTP";
  }
  const auto major_version = static_cast<unsigned char>(bytes[10]);
  if (major_version < 3) {
    return "the peer speaks ZMTP " + std::to_string(major_version) + ", not 3";
  }
  if (std::memcmp(bytes + 12, "NULL", 4) != 0 ||
      std::string_view(bytes + 16, 16).find_first_not_of('\0') != std::string_view::npos) {
    return "the peer asks for a security mechanism other than NULL";
  }
  return "";
}

// The NULL mechanism's READY command, saying this end is a DEALER.
std::string ready_command() {
  std::string body = "\x05READY\x0bSocket-Type";
  body += std::string("\0\0\0\x06", 4);
  body += "DEALER";
  std::string frame;
  frame += static_cast<char>(kCommandFlag);
  frame += static_cast<char>(body.size());
  return frame + body;
}

// A command's body starts with its name's length and its name.
std::string_view command_name(std::string_view body) {
  if (body.empty() || body.size() - 1 < static_cast<unsigned char>(body[0])) {
    throw std::runtime_error("a command frame too short for its name");
  }
  return body.substr(1, static_cast<unsigned char>(body[0]));
}

// A socket connected to the endpoint, or -1 with `error` set.
int connect_to(const std::string& endpoint, std::string& error) {
  constexpr std::string_view kIpc = "ipc://";
  constexpr std::string_view kTcp = "tcp://";
  if (endpoint.rfind(kIpc, 0) == 0) {
    const std::string path = endpoint.substr(kIpc.size());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(address.sun_path)) {
      error =
          "the ipc path must be 1 to " + std::to_string(sizeof(address.sun_path) - 1) + " bytes";
      return -1;
    }
    std::memcpy(address.sun_path, path.data(), path.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = system_error("socket");
      return -1;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      error = system_error("connect");
      ::close(fd);
      return -1;
    }
    return fd;
  }
  if (endpoint.rfind(kTcp, 0) == 0) {
    const std::string address = endpoint.substr(kTcp.size());
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) {
      error = "a tcp endpoint needs host:port";
      return -1;
    }
    std::string host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    const std::string port = address.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (const int failed = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found)) {
      error = std::string("cannot resolve it: ") + ::gai_strerror(failed);
      return -1;
    }
    const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = system_error("socket");
      ::freeaddrinfo(found);
      return -1;
    }
    const bool is_connected = ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
    ::freeaddrinfo(found);
    if (!is_connected) {
      error = system_error("connect");
      ::close(fd);
      return -1;
    }
    // libzmq sets the same on its TCP connections: a request is one small write.
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    return fd;
  }
  error = "only ipc:// and tcp:// endpoints are supported";
  return -1;
}

// Waits for `events` on fd until the deadline; false when it passed.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd item{fd, events, 0};
    const int ready = ::poll(&item, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

}  // namespace

std::unique_ptr<ZmtpConnection> ZmtpConnection::open(const std::string& endpoint,
                                                     std::chrono::milliseconds timeout,
                                                     std::string& error) {
  const int fd = connect_to(endpoint, error);
  if (fd < 0) {
    error = "cannot connect to " + endpoint + ": " + error;
    return nullptr;
  }
  std::unique_ptr<ZmtpConnection> connection(new ZmtpConnection(fd));
  if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
      !connection->handshake(timeout, error)) {
    if (error.empty()) error = system_error("fcntl");
    error = "no ZMTP handshake with " + endpoint + ": " + error;
    return nullptr;
  }
  return connection;
}

ZmtpConnection::~ZmtpConnection() { ::close(fd_); }

bool ZmtpConnection::handshake(std::chrono::milliseconds timeout, std::string& error) {
  const auto deadline = Clock::now() + timeout;
  // The whole greeting at once: libzmq reads a peer's greeting in pieces as
  // it comes, so nothing needs to wait for its side first.
  outgoing_ = greeting() + ready_command();
  while (has_unsent()) {
    if (!flush(error)) return false;
    if (has_unsent() && !wait_for(fd_, POLLOUT, deadline)) {
      error = "timed out sending the greeting";
      return false;
    }
  }
  const auto read_more = [&] {
    if (!wait_for(fd_, POLLIN, deadline)) {
      error = "timed out waiting for the peer's greeting and READY";
      return false;
    }
    return read_some(error) != ReadOutcome::failed;
  };
  // The greeting is not a frame: it is taken raw, and frames follow it.
  while (read_end_ - parsed_ < kGreetingBytes) {
    if (!read_more()) return false;
  }
  error = check_peer_greeting(incoming_.data() + parsed_);
  if (!error.empty()) return false;
  parsed_ += kGreetingBytes;
  try {
    unsigned char flags = 0;
    std::string_view body;
    while (!next_frame(flags, body)) {
      if (!read_more()) return false;
    }
    if ((flags & kCommandFlag) == 0) {
      error = "a message came before the peer's READY";
      return false;
    }
    const std::string_view name = command_name(body);
    if (name == "ERROR") {
      std::string_view reason = body.substr(1 + name.size());
      if (!reason.empty()) reason = reason.substr(1, static_cast<unsigned char>(reason[0]));
      error = "the peer refused: " + std::string(reason);
      return false;
    }
    if (name != "READY") {
      error = "the peer's first command is " + std::string(name) + ", not READY";
      return false;
    }
  } catch (const std::runtime_error& broken) {
    error = broken.what();
    return false;
  }
  return true;
}

void ZmtpConnection::queue(std::string_view message) {
  if (message.size() <= kMaxShortFrameBytes) {
    outgoing_ += '\0';
    outgoing_ += static_cast<char>(message.size());
  } else {
    outgoing_ += static_cast<char>(kLongFlag);
    for (int shift = 56; shift >= 0; shift -= 8) {
      outgoing_ += static_cast<char>((std::uint64_t{message.size()} >> shift) & 0xff);
    }
  }
  outgoing_ += message;
}

bool ZmtpConnection::flush(std::string& error) {
  while (has_unsent()) {
    const ssize_t count =
        ::send(fd_, outgoing_.data() + sent_, outgoing_.size() - sent_, MSG_NOSIGNAL);
    if (count < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (errno == EINTR) continue;
      error = system_error("send");
      return false;
    }
    sent_ += static_cast<std::size_t>(count);
  }
  outgoing_.clear();
  sent_ = 0;
  return true;
}

bool ZmtpConnection::receive(const std::function<void(std::string_view)>& on_message,
                             std::string& error) {
  const ReadOutcome outcome = read_some(error);
  if (outcome == ReadOutcome::failed) return false;
  try {
    unsigned char flags = 0;
    std::string_view body;
    while (next_frame(flags, body)) {
      // libzmq sends commands after READY only for heartbeats, which todod
      // does not ask for; none changes what the messages are.
      if ((flags & kCommandFlag) != 0) continue;
      if ((flags & kMoreFlag) != 0) {
        partial_message_ += body;
      } else if (partial_message_.empty()) {
        on_message(body);
      } else {
        partial_message_ += body;
        on_message(partial_message_);
        partial_message_.clear();
      }
    }
  } catch (const std::runtime_error& broken) {
    error = broken.what();
    return false;
  }
  return true;
}

ZmtpConnection::ReadOutcome ZmtpConnection::read_some(std::string& error) {
  if (parsed_ == read_end_) parsed_ = read_end_ = 0;
  if (incoming_.size() - read_end_ < kMinReadRoom) {
    std::memmove(incoming_.data(), incoming_.data() + parsed_, read_end_ - parsed_);
    read_end_ -= parsed_;
    parsed_ = 0;
    if (incoming_.size() - read_end_ < kMinReadRoom) {
      incoming_.resize(std::max<std::size_t>(4 * kMinReadRoom, 2 * incoming_.size()));
    }
  }
  for (;;) {
    const ssize_t count =
        ::recv(fd_, incoming_.data() + read_end_, incoming_.size() - read_end_, 0);
    if (count > 0) {
      read_end_ += static_cast<std::size_t>(count);
      return ReadOutcome::read;
    }
    if (count == 0) {
      error = "the peer closed the connection";
      return ReadOutcome::failed;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadOutcome::nothing;
    error = system_error("recv");
    return ReadOutcome::failed;
  }
}

bool ZmtpConnection::next_frame(unsigned char& flags, std::string_view& body) {
  const std::size_t available = read_end_ - parsed_;
  if (available < 2) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(incoming_.data() + parsed_);
  flags = bytes[0];
  if ((flags & ~(kMoreFlag | kLongFlag | kCommandFlag)) != 0) {
    throw std::runtime_error("frame flags " + std::to_string(flags) + " set reserved bits");
  }
  std::size_t header = 2;
  std::uint64_t size = bytes[1];
  if ((flags & kLongFlag) != 0) {
    header = 9;
    if (available < header) return false;
    size = 0;
    for (std::size_t i = 1; i < header; ++i) size = (size << 8) | bytes[i];
  }
  if (size > kMaxFrameBytes) {
    throw std::runtime_error("a frame of " + std::to_string(size) + " bytes is over the " +
                             std::to_string(kMaxFrameBytes) + " this client takes");
  }
  if (available - header < size) return false;
  body = std::string_view(incoming_.data() + parsed_ + header, static_cast<std::size_t>(size));
  parsed_ += header + static_cast<std::size_t>(size);
  return true;
}

}  // namespace todo::bench
