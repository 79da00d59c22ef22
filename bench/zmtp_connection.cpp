#include "bench/zmtp_connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <span>
#include <stdexcept>

#include "common/endpoint.hpp"

namespace todo::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A recv asks for at least this much: at 16 in flight the replies that have
// arrived for one connection (4 KiB a read reply) fit in one call.
constexpr std::size_t kMinReadRoom = 64 << 10;

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

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

// A unix socket connected to `path` before the deadline, or -1 with `error`
// set. As libzmq does, a path that starts with '@' names an abstract socket.
int connect_ipc(std::string path, Clock::time_point deadline, std::string& error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    error = "the ipc path must be 1 to " + std::to_string(sizeof(address.sun_path) - 1) + " bytes";
    return -1;
  }
  if (path.front() == '@') path.front() = '\0';
  std::memcpy(address.sun_path, path.data(), path.size());
  // An abstract name is exactly its bytes; a path ends at its terminator.
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                             (path.front() == '\0' ? 0 : 1));
  return connect_before(reinterpret_cast<sockaddr*>(&address), length, deadline, error);
}

// A TCP socket connected to host:port before the deadline, or -1 with
// `error` set. As libzmq does, the host is IPv4 unless written in brackets.
int connect_tcp(const std::string& address, Clock::time_point deadline, std::string& error) {
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

// A socket connected to the endpoint before the deadline, or -1 with `error`
// set.
int connect_to(const std::string& endpoint, Clock::time_point deadline, std::string& error) {
  constexpr std::string_view kTcp = "tcp://";
  if (auto path = ipc_path_of(endpoint)) return connect_ipc(std::move(*path), deadline, error);
  if (endpoint.rfind(kTcp, 0) == 0) {
    return connect_tcp(endpoint.substr(kTcp.size()), deadline, error);
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
  outgoing_ = zmtp_greeting() + zmtp_ready_command("DEALER");
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
  // The greeting is not a frame: it is taken raw, and frames follow it. Its
  // signature and version are checked as soon as they come, so that an older
  // peer, which would wait for a shorter greeting, is named rather than
  // waited for.
  while (incoming_.unread().size() < kZmtpGreetingVersionBytes) {
    if (!read_handshake(deadline, error)) return false;
  }
  error = check_zmtp_signature(incoming_.unread());
  if (!error.empty()) return false;
  while (incoming_.unread().size() < kZmtpGreetingBytes) {
    if (!read_handshake(deadline, error)) return false;
  }
  error = check_zmtp_mechanism(incoming_.unread());
  if (!error.empty()) return false;
  incoming_.skip(kZmtpGreetingBytes);
  return true;
}

bool ZmtpConnection::read_peer_ready(Clock::time_point deadline, std::string& error) {
  try {
    ZmtpFrame frame;
    while (!incoming_.next_frame(frame)) {
      if (!read_handshake(deadline, error)) return false;
    }
    error = check_zmtp_ready(frame, "ROUTER");
  } catch (const std::runtime_error& broken) {
    error = broken.what();
  }
  return error.empty();
}

void ZmtpConnection::queue(std::string_view message) { append_zmtp_frame(outgoing_, 0, message); }

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
    std::string_view message;
    while (incoming_.next_message(message)) on_message(message);
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
  const std::span<char> room = incoming_.room(kMinReadRoom);
  for (;;) {
    const ssize_t count = ::recv(fd_, room.data(), room.size(), 0);
    if (count > 0) {
      incoming_.added(static_cast<std::size_t>(count));
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

}  // namespace todo::bench
