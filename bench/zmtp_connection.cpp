#include "bench/zmtp_connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
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
// Far over any reply to todo-bench's requests (an id, or a list of 100 short
// entries), so only a broken peer reaches it.
constexpr std::uint64_t kMaxFrameBytes = 64u << 20;
// A recv asks for at least this much: at 16 in flight the replies that have
// arrived for one connection (4 KiB a read reply) fit in one call.
constexpr std::size_t kMinReadRoom = 64 << 10;

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

// The first 11 bytes of a greeting: signature and major version. Checked as
// soon as they come, so that an older peer, which would wait for a shorter
// greeting, is named rather than waited for.
constexpr std::size_t kGreetingVersionBytes = 11;
std::string check_peer_signature(const char* bytes) {
  if (static_cast<unsigned char>(bytes[0]) != 0xff || bytes[9] != 0x7f) {
    return "the peer's greeting is not ZMTP";
  }
  const auto major_version = static_cast<unsigned char>(bytes[10]);
  if (major_version < 3) {
    return "the peer speaks ZMTP " + std::to_string(major_version) + ", not 3";
  }
  return "";
}

std::string check_peer_mechanism(const char* greeting) {
  if (std::memcmp(greeting + 12, "NULL", 4) != 0 ||
      std::string_view(greeting + 16, 16).find_first_not_of('\0') != std::string_view::npos) {
    return "the peer asks for a security mechanism other than NULL";
  }
  return "";
}

// A frame: flags, a one-byte size up to 255 bytes or, with the long flag, an
// 8-byte big-endian one, then the body.
void append_frame(std::string& out, unsigned char flags, std::string_view body) {
  if (body.size() <= kMaxShortFrameBytes) {
    out += static_cast<char>(flags);
    out += static_cast<char>(body.size());
  } else {
    out += static_cast<char>(flags | kLongFlag);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out += static_cast<char>((std::uint64_t{body.size()} >> shift) & 0xff);
    }
  }
  out += body;
}

// The NULL mechanism's READY command, saying this end is a DEALER.
std::string ready_command() {
  std::string body = "\x05READY\x0bSocket-Type";
  body += std::string("\0\0\0\x06", 4);
  body += "DEALER";
  std::string frame;
  append_frame(frame, kCommandFlag, body);
  return frame;
}

// A command's body starts with its name's length and its name.
std::string_view command_name(std::string_view body) {
  if (body.empty() || body.size() - 1 < static_cast<unsigned char>(body[0])) {
    throw std::runtime_error("a command frame too short for its name");
  }
  return body.substr(1, static_cast<unsigned char>(body[0]));
}

// The Socket-Type property of a READY command's body, or "" when it has none.
// Properties: a name length byte, the name, a 4-byte big-endian value length,
// the value.
std::string_view socket_type(std::string_view ready) {
  std::string_view rest = ready.substr(1 + command_name(ready).size());
  while (!rest.empty()) {
    const std::size_t name_length = static_cast<unsigned char>(rest[0]);
    if (rest.size() < 1 + name_length + 4) throw std::runtime_error("a READY property is cut off");
    const std::string_view name = rest.substr(1, name_length);
    const auto* size_bytes = reinterpret_cast<const unsigned char*>(rest.data() + 1 + name_length);
    const std::uint32_t value_length = (std::uint32_t{size_bytes[0]} << 24) |
                                       (std::uint32_t{size_bytes[1]} << 16) |
                                       (std::uint32_t{size_bytes[2]} << 8) | size_bytes[3];
    rest.remove_prefix(1 + name_length + 4);
    if (rest.size() < value_length) throw std::runtime_error("a READY property is cut off");
    if (name == "Socket-Type") return rest.substr(0, value_length);
    rest.remove_prefix(value_length);
  }
  return "";
}

// What is wrong with the peer's first frame, or "" when it is the READY of a
// ROUTER. Throws std::runtime_error for a command cut short.
std::string check_peer_ready(unsigned char flags, std::string_view body) {
  if ((flags & kCommandFlag) == 0) return "a message came before the peer's READY";
  const std::string_view name = command_name(body);
  if (name == "ERROR") {
    std::string_view reason = body.substr(1 + name.size());
    if (!reason.empty()) reason = reason.substr(1, static_cast<unsigned char>(reason[0]));
    return "the peer refused: " + std::string(reason);
  }
  if (name != "READY") return "the peer's first command is " + std::string(name) + ", not READY";
  const std::string_view type = socket_type(body);
  if (type != "ROUTER") {
    return "the peer is a " +
           (type.empty() ? std::string("socket of no type") : std::string(type)) + ", not a ROUTER";
  }
  return "";
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

// A non-blocking socket connected to one address before the deadline, or -1
// with `error` set.
int connect_before(const sockaddr* address, socklen_t length, Clock::time_point deadline,
                   std::string& error) {
  const int fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    error = system_error("socket");
    return -1;
  }
  for (;;) {
    if (::connect(fd, address, length) == 0) return fd;
    if (errno == EINPROGRESS) {
      // A TCP connection completes in the background; SO_ERROR says how.
      int failure = ETIMEDOUT;
      socklen_t size = sizeof(failure);
      if (wait_for(fd, POLLOUT, deadline)) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size);
      if (failure == 0) return fd;
      errno = failure;
    } else if (errno == EAGAIN && Clock::now() < deadline) {
      // A unix socket's backlog is full: nothing to wait on but time.
      ::poll(nullptr, 0, 1);
      continue;
    }
    error = system_error("connect");
    ::close(fd);
    return -1;
  }
}

// A socket connected to the endpoint before the deadline, or -1 with `error`
// set. As libzmq does: ipc://@name is an abstract unix socket, and a tcp://
// host is IPv4 unless written in brackets.
int connect_to(const std::string& endpoint, Clock::time_point deadline, std::string& error) {
  constexpr std::string_view kIpc = "ipc://";
  constexpr std::string_view kTcp = "tcp://";
  if (endpoint.rfind(kIpc, 0) == 0) {
    std::string path = endpoint.substr(kIpc.size());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(address.sun_path)) {
      error =
          "the ipc path must be 1 to " + std::to_string(sizeof(address.sun_path) - 1) + " bytes";
      return -1;
    }
    if (path.front() == '@') path.front() = '\0';
    std::memcpy(address.sun_path, path.data(), path.size());
    // An abstract name is exactly its bytes; a path ends at its terminator.
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                               (path.front() == '\0' ? 0 : 1));
    return connect_before(reinterpret_cast<sockaddr*>(&address), length, deadline, error);
  }
  if (endpoint.rfind(kTcp, 0) == 0) {
    const std::string address = endpoint.substr(kTcp.size());
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) {
      error = "a tcp endpoint needs host:port";
      return -1;
    }
    std::string host = address.substr(0, colon);
    addrinfo hints{};
    hints.ai_family = AF_INET;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
      hints.ai_family = AF_INET6;
    }
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (const int failed =
            ::getaddrinfo(host.c_str(), address.substr(colon + 1).c_str(), &hints, &found)) {
      error = std::string("cannot resolve it: ") + ::gai_strerror(failed);
      return -1;
    }
    int fd = -1;
    for (const addrinfo* candidate = found; candidate != nullptr && fd < 0;
         candidate = candidate->ai_next) {
      fd = connect_before(candidate->ai_addr, candidate->ai_addrlen, deadline, error);
    }
    ::freeaddrinfo(found);
    if (fd >= 0) {
      // libzmq sets the same on its TCP connections: a request is one small
      // write, and waiting to join it to the next only adds latency.
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    return fd;
  }
  error = "only ipc:// and tcp:// endpoints are supported";
  return -1;
}

}  // namespace

std::unique_ptr<ZmtpConnection> ZmtpConnection::open(const std::string& endpoint,
                                                     std::chrono::milliseconds timeout,
                                                     std::string& error) {
  const auto deadline = Clock::now() + timeout;
  std::string cause;
  const int fd = connect_to(endpoint, deadline, cause);
  if (fd < 0) {
    error = "cannot connect to " + endpoint + ": " + cause;
    return nullptr;
  }
  std::unique_ptr<ZmtpConnection> connection(new ZmtpConnection(fd, endpoint));
  if (!connection->handshake(deadline, cause)) {
    error = "no ZMTP handshake with " + endpoint + ": " + cause;
    return nullptr;
  }
  return connection;
}

ZmtpConnection::ZmtpConnection(int fd, std::string endpoint)
    : fd_(fd), endpoint_(std::move(endpoint)), incoming_(4 * kMinReadRoom) {}

ZmtpConnection::~ZmtpConnection() { ::close(fd_); }

bool ZmtpConnection::handshake(Clock::time_point deadline, std::string& error) {
  // The whole greeting at once: libzmq reads a peer's greeting in pieces as
  // it comes, so nothing needs to wait for its side first.
  outgoing_ = greeting() + ready_command();
  return send_greeting(deadline, error) && read_peer_greeting(deadline, error) &&
         read_peer_ready(deadline, error);
}

bool ZmtpConnection::send_greeting(Clock::time_point deadline, std::string& error) {
  while (has_unsent()) {
    if (!send_some(error)) return false;
    if (has_unsent() && !wait_for(fd_, POLLOUT, deadline)) {
      error = "timed out sending the greeting";
      return false;
    }
  }
  return true;
}

bool ZmtpConnection::read_handshake(Clock::time_point deadline, std::string& error) {
  if (!wait_for(fd_, POLLIN, deadline)) {
    error = "timed out waiting for the peer's greeting and READY";
    return false;
  }
  return read_some(error);
}

bool ZmtpConnection::read_peer_greeting(Clock::time_point deadline, std::string& error) {
  // The greeting is not a frame: it is taken raw, and frames follow it.
  while (read_end_ - parsed_ < kGreetingVersionBytes) {
    if (!read_handshake(deadline, error)) return false;
  }
  error = check_peer_signature(incoming_.data() + parsed_);
  if (!error.empty()) return false;
  while (read_end_ - parsed_ < kGreetingBytes) {
    if (!read_handshake(deadline, error)) return false;
  }
  error = check_peer_mechanism(incoming_.data() + parsed_);
  if (!error.empty()) return false;
  parsed_ += kGreetingBytes;
  return true;
}

bool ZmtpConnection::read_peer_ready(Clock::time_point deadline, std::string& error) {
  try {
    unsigned char flags = 0;
    std::string_view body;
    while (!next_frame(flags, body)) {
      if (!read_handshake(deadline, error)) return false;
    }
    error = check_peer_ready(flags, body);
  } catch (const std::runtime_error& broken) {
    error = broken.what();
  }
  return error.empty();
}

void ZmtpConnection::queue(std::string_view message) { append_frame(outgoing_, 0, message); }

bool ZmtpConnection::flush(std::string& error) {
  std::string cause;
  if (send_some(cause)) return true;
  error = endpoint_ + ": " + cause;
  return false;
}

bool ZmtpConnection::receive(const std::function<void(std::string_view)>& on_message,
                             std::string& error) {
  std::string cause;
  if (!read_some(cause)) {
    error = endpoint_ + ": " + cause;
    return false;
  }
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
    error = endpoint_ + ": " + broken.what();
    return false;
  }
  return true;
}

bool ZmtpConnection::send_some(std::string& error) {
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

bool ZmtpConnection::read_some(std::string& error) {
  if (parsed_ == read_end_) {
    parsed_ = read_end_ = 0;
  } else if (parsed_ > 0 && incoming_.size() - read_end_ < kMinReadRoom) {
    std::memmove(incoming_.data(), incoming_.data() + parsed_, read_end_ - parsed_);
    read_end_ -= parsed_;
    parsed_ = 0;
  }
  // Still short of room: a frame larger than the buffer is coming.
  if (incoming_.size() - read_end_ < kMinReadRoom) incoming_.resize(2 * incoming_.size());
  for (;;) {
    const ssize_t count =
        ::recv(fd_, incoming_.data() + read_end_, incoming_.size() - read_end_, 0);
    if (count > 0) {
      read_end_ += static_cast<std::size_t>(count);
      return true;
    }
    if (count == 0) {
      error = "the peer closed the connection";
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    error = system_error("recv");
    return false;
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
