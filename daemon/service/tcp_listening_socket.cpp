#include "daemon/service/tcp_listening_socket.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace todo {
namespace {

// An address as ZMQ_LAST_ENDPOINT writes it: tcp://127.0.0.1:5555,
// tcp://[::1]:5555, tcp://[fe80::1%eth0]:5555.
bool parse_endpoint(const std::string& endpoint, sockaddr_storage& address) {
  constexpr std::string_view kScheme = "tcp://";
  if (!endpoint.starts_with(kScheme)) return false;
  const std::string rest = endpoint.substr(kScheme.size());
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return false;
  unsigned port = 0;
  const char* port_end = rest.data() + rest.size();
  if (auto [end, error] = std::from_chars(rest.data() + colon + 1, port_end, port);
      error != std::errc() || end != port_end || port > 65535) {
    return false;
  }
  std::string host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  host = host.substr(0, host.find('%'));
  address = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    return true;
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    return true;
  }
  return false;
}

bool is_same_address(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port &&
         std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

bool is_tcp_listener_on(int fd, const sockaddr_storage& address) {
  int value = 0;
  socklen_t length = sizeof value;
  // Fails with ENOTSOCK on anything but a socket.
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) != 0 || value != 1) return false;
  length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &length) != 0 || value != IPPROTO_TCP) {
    return false;
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  return ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) == 0 &&
         is_same_address(bound, address);
}

}  // namespace

Result<TcpListeningSocket> TcpListeningSocket::find(const std::string& endpoint) {
  sockaddr_storage address{};
  if (!parse_endpoint(endpoint, address)) {
    return Error::internal("cannot read the address of " + endpoint);
  }
  DIR* descriptors = ::opendir("/proc/self/fd");
  if (descriptors == nullptr) {
    return Error::internal("cannot find the listening socket of " + endpoint +
                           ": cannot list /proc/self/fd: " + std::strerror(errno));
  }
  std::vector<int> found;
  while (const dirent* entry = ::readdir(descriptors)) {
    int fd = -1;
    const char* name_end = entry->d_name + std::strlen(entry->d_name);
    if (auto [end, error] = std::from_chars(entry->d_name, name_end, fd);
        error != std::errc() || end != name_end || fd == ::dirfd(descriptors)) {
      continue;
    }
    if (is_tcp_listener_on(fd, address)) found.push_back(fd);
  }
  ::closedir(descriptors);
  if (found.size() != 1) {
    return Error::internal("cannot find the listening socket of " + endpoint + ": " +
                           std::to_string(found.size()) + " sockets listen there");
  }
  return TcpListeningSocket(found.front(), endpoint);
}

Result<void> TcpListeningSocket::pause() {
  sock_filter drop_all[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  const sock_fprog program = {.len = 1, .filter = drop_all};
  if (::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    return Error::internal("cannot pause " + endpoint_ + ": " + std::strerror(errno));
  }
  return {};
}

Result<void> TcpListeningSocket::resume() {
  // The value is not read, but Linux refuses one shorter than an int. ENOENT:
  // no filter on, which is the state asked for.
  const int unused = 0;
  if (::setsockopt(fd_, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) != 0 &&
      errno != ENOENT) {
    return Error::internal("cannot resume " + endpoint_ + ": " + std::strerror(errno));
  }
  return {};
}

std::size_t TcpListeningSocket::drop_waiting() {
  // Non-blocking, so that an accept after the backlog empties (libzmq's I/O
  // thread takes from it too) returns at once; libzmq takes EAGAIN from
  // accept as nothing waiting.
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK) == 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  std::size_t dropped = 0;
  for (;;) {
    const int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection >= 0) {
      ::close(connection);
      ++dropped;
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    // EAGAIN: none left. EMFILE or ENFILE: libzmq took the free descriptor.
    return dropped;
  }
}

}  // namespace todo
