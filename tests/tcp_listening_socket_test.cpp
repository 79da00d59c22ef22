// TcpListeningSocket on a listening socket of the test's own, as libzmq makes
// one: found by its address, paused (a new connection is not made, one made
// before is untouched), resumed, and its backlog emptied.
#include "daemon/service/tcp_listening_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace todo {
namespace {

// A listening socket on 127.0.0.1 with a port the kernel chose.
class Listening {
 public:
  Listening() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t length = sizeof address_;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address_), &length) == 0);
  }
  Listening(const Listening&) = delete;
  Listening& operator=(const Listening&) = delete;
  ~Listening() { ::close(fd_); }

  int fd() const { return fd_; }
  const sockaddr_in& address() const { return address_; }
  std::string endpoint() const {
    return "tcp://127.0.0.1:" + std::to_string(ntohs(address_.sin_port));
  }

 private:
  int fd_ = -1;
  sockaddr_in address_{};
};

// A non-blocking connect to listening, not waited for.
int start_connect(const Listening& listening) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const int made =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&listening.address()), sizeof(sockaddr_in));
  REQUIRE((made == 0 || errno == EINPROGRESS));
  return fd;
}

// Whether the connect on fd has completed within timeout.
bool is_connected_within(int fd, std::chrono::milliseconds timeout) {
  pollfd item = {fd, POLLOUT, 0};
  if (::poll(&item, 1, static_cast<int>(timeout.count())) != 1) return false;
  int error = 0;
  socklen_t length = sizeof error;
  return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
}

TEST_CASE("a listening socket is found by the address ZMQ_LAST_ENDPOINT names") {
  Listening listening;
  auto found = TcpListeningSocket::find(listening.endpoint());
  REQUIRE(found);
  CHECK(found.value().endpoint() == listening.endpoint());

  const auto elsewhere = TcpListeningSocket::find("tcp://127.0.0.2:1");
  REQUIRE_FALSE(elsewhere);
  CHECK_THAT(elsewhere.error().message,
             Catch::Contains("tcp://127.0.0.2:1") && Catch::Contains("0 sockets listen there"));
  CHECK_FALSE(TcpListeningSocket::find("tcp://localhost:80"));
}

TEST_CASE("a paused listening socket makes no connection until resumed") {
  Listening listening;
  auto found = TcpListeningSocket::find(listening.endpoint());
  REQUIRE(found);
  TcpListeningSocket& socket = found.value();

  const int before = start_connect(listening);
  REQUIRE(is_connected_within(before, std::chrono::seconds(1)));
  const int accepted = ::accept4(listening.fd(), nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(accepted >= 0);

  REQUIRE(socket.pause());
  const int during = start_connect(listening);
  CHECK_FALSE(is_connected_within(during, std::chrono::milliseconds(200)));
  // A connection accepted before goes on both ways.
  CHECK(::send(before, "a", 1, MSG_NOSIGNAL) == 1);
  char byte = 0;
  pollfd readable = {accepted, POLLIN, 0};
  REQUIRE(::poll(&readable, 1, 1000) == 1);
  CHECK(::recv(accepted, &byte, 1, 0) == 1);
  CHECK(::send(accepted, "b", 1, MSG_NOSIGNAL) == 1);

  REQUIRE(socket.resume());
  // Made at the SYN's first retransmit, a second after the first.
  CHECK(is_connected_within(during, std::chrono::seconds(3)));
  CHECK(socket.resume());  // resuming what runs is no error
  for (const int fd : {before, accepted, during}) ::close(fd);
}

TEST_CASE("drop_waiting closes the connections in the backlog") {
  Listening listening;
  auto found = TcpListeningSocket::find(listening.endpoint());
  REQUIRE(found);
  std::vector<int> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(start_connect(listening));
    REQUIRE(is_connected_within(waiting.back(), std::chrono::seconds(1)));
  }
  CHECK(found.value().drop_waiting() == 3);
  CHECK(found.value().drop_waiting() == 0);
  for (const int fd : waiting) {
    pollfd item = {fd, POLLIN, 0};
    REQUIRE(::poll(&item, 1, 1000) == 1);
    char byte = 0;
    CHECK(::recv(fd, &byte, 1, 0) <= 0);  // end of stream or reset
    ::close(fd);
  }
}

}  // namespace
}  // namespace todo
