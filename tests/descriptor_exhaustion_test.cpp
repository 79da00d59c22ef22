// File descriptors running out: todod under an open file limit of 1024 (prlimit),
// flooded with unix socket connections that never speak, as anyone who can
// reach the socket could do. libzmq aborts the process when accept() on an
// ipc:// listener fails with EMFILE; todod must stop accepting before that,
// keep serving the client already connected, and accept again once the flood
// is gone.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <regex>
#include <thread>
#include <zmq.hpp>

#include "common/protocol.hpp"
#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::ChildProcess;
using testing::DaemonPlace;
using testing::Output;
using testing::run_todo;

constexpr const char* kPrlimit = "/usr/bin/prlimit";
// As `ulimit -n 1024` sets it, soft and hard, and a flood past it.
constexpr int kOpenFileLimit = 1024;
constexpr int kFloodConnections = 1'100;

// One ZeroMQ connection kept open across the flood.
class ConnectedClient {
 public:
  explicit ConnectedClient(const std::string& endpoint)
      : socket_(context_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }

  // Whether a ping is answered within the timeout.
  bool is_answered(std::uint64_t request_id, std::chrono::milliseconds timeout) {
    const std::string bytes = encode_request({request_id, Ping{}});
    socket_.send(zmq::buffer(bytes), zmq::send_flags::none);
    std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, timeout);
    zmq::message_t message;
    if (!socket_.recv(message, zmq::recv_flags::dontwait)) return false;
    auto reply = decode_reply(message.to_string_view());
    return reply && reply.value().request_id == request_id &&
           reply.value().status == StatusCode::ok;
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

// Connections to a unix socket that send nothing: count of them, or as many
// as todod takes before it stops accepting (the connect is refused then),
// within 20 s. A full backlog (EAGAIN) is waited out.
std::vector<int> flood(const std::string& path, int count) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  std::vector<int> connections;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (static_cast<int>(connections.size()) < count &&
         std::chrono::steady_clock::now() < deadline) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      connections.push_back(fd);
      continue;
    }
    const int error = errno;
    ::close(fd);
    if (error != EAGAIN) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return connections;
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

TEST_CASE("a flood of connections past the open file limit leaves todod serving", "[descriptors]") {
  DaemonPlace place;
  ChildProcess todod(
      kPrlimit,
      {"--nofile=" + std::to_string(kOpenFileLimit) + ":" + std::to_string(kOpenFileLimit), "--",
       testing::kTododPath, "--data-dir", place.data_dir().string(), "--listen", place.endpoint()});
  const std::string start = todod.read_stderr_until(" serving ", std::chrono::seconds(20));
  std::smatch limit;
  REQUIRE(std::regex_search(start, limit, std::regex("at most ([0-9]+) connections")));
  CHECK(std::stoi(limit[1]) < kOpenFileLimit);

  ConnectedClient connected(place.endpoint());
  REQUIRE(connected.is_answered(1, std::chrono::seconds(5)));
  testing::run_todo_ok(place.endpoint(), {"add", "bob", "2024-01-02", "before"});

  const std::string path = place.endpoint().substr(std::string("ipc://").size());
  std::vector<int> connections = flood(path, kFloodConnections);
  INFO("connections made: " << connections.size());
  CHECK(todod.read_stderr_until("not accepting connections", std::chrono::seconds(10))
            .find("not accepting connections") != std::string::npos);
  CHECK_FALSE(todod.wait_for_exit(std::chrono::milliseconds(200)).has_value());
  CHECK(connected.is_answered(2, std::chrono::seconds(5)));

  for (const int fd : connections) ::close(fd);
  CHECK(eventually(
      [&] {
        return run_todo(place.endpoint(), {"--timeout", "2000", "ping"}).exit_code == 0;
      },
      std::chrono::seconds(20)));
  CHECK_THAT(todod.read_stderr_until("accepting connections again", std::chrono::seconds(5)),
             Catch::Contains("accepting connections again"));
  CHECK(testing::run_todo_ok(place.endpoint(), {"entries", "bob"}) == "1 2024-01-02 [ ] before\n");
  CHECK(connected.is_answered(3, std::chrono::seconds(5)));

  todod.signal(SIGTERM);
  CHECK(todod.wait_for_exit(std::chrono::seconds(10)) == 0);
}

}  // namespace
}  // namespace todo
