// todo-bench's own ZMTP client against a real libzmq ROUTER, on ipc:// and
// 127.0.0.1, and against peers that are not ZeroMQ at all.
#include "bench/zmtp_connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <thread>
#include <zmq.hpp>

#include "temp_dir.hpp"

namespace todo {
namespace {

using bench::ZmtpConnection;
using testing::TempDir;

constexpr std::chrono::milliseconds kTimeout{5'000};

// Receives what the connection delivers until `count` messages came.
std::vector<std::string> receive_messages(ZmtpConnection& connection, std::size_t count) {
  std::vector<std::string> messages;
  std::string error;
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (messages.size() < count && std::chrono::steady_clock::now() < deadline) {
    pollfd item{connection.fd(), POLLIN, 0};
    ::poll(&item, 1, 100);
    const bool is_open = connection.receive(
        [&](std::string_view message) { messages.emplace_back(message); }, error);
    INFO(error);
    REQUIRE(is_open);
  }
  return messages;
}

// The ROUTER's next message: the peer's routing id, then its frames.
std::vector<std::string> router_receive(zmq::socket_t& router) {
  std::vector<std::string> frames;
  zmq::message_t frame;
  do {
    REQUIRE(router.recv(frame));
    frames.push_back(frame.to_string());
  } while (frame.more());
  return frames;
}

void exchange_with_router(const std::string& bind_to) {
  zmq::context_t context(1);
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::rcvtimeo, static_cast<int>(kTimeout.count()));
  router.bind(bind_to);
  const std::string endpoint = router.get(zmq::sockopt::last_endpoint);

  std::string error;
  auto connection = ZmtpConnection::open(endpoint, kTimeout, error);
  INFO(error);
  REQUIRE(connection != nullptr);

  // A short frame and a long one (over 255 bytes: an 8-byte size).
  const std::string long_request(1'000, 'r');
  connection->queue("hello");
  connection->queue(long_request);
  while (connection->has_unsent()) REQUIRE(connection->flush(error));
  const std::vector<std::string> first = router_receive(router);
  REQUIRE(first.size() == 2);
  CHECK(first[1] == "hello");
  const std::vector<std::string> second = router_receive(router);
  REQUIRE(second.size() == 2);
  CHECK(second[0] == first[0]);
  CHECK(second[1] == long_request);

  const std::string& routing_id = first[0];
  const std::string long_reply(70'000, 'x');
  router.send(zmq::buffer(routing_id), zmq::send_flags::sndmore);
  router.send(zmq::buffer(std::string("short")), zmq::send_flags::none);
  router.send(zmq::buffer(routing_id), zmq::send_flags::sndmore);
  router.send(zmq::buffer(long_reply), zmq::send_flags::none);
  router.send(zmq::buffer(routing_id), zmq::send_flags::sndmore);
  router.send(zmq::buffer(std::string("two ")), zmq::send_flags::sndmore);
  router.send(zmq::buffer(std::string("parts")), zmq::send_flags::none);
  const std::vector<std::string> replies = receive_messages(*connection, 3);
  REQUIRE(replies.size() == 3);
  CHECK(replies[0] == "short");
  CHECK(replies[1] == long_reply);
  CHECK(replies[2] == "two parts");
}

TEST_CASE("a ZmtpConnection exchanges messages with a libzmq ROUTER over ipc", "[bench]") {
  TempDir dir;
  exchange_with_router("ipc://" + (dir.path() / "router.sock").string());
}

TEST_CASE("a ZmtpConnection exchanges messages with a libzmq ROUTER over 127.0.0.1", "[bench]") {
  exchange_with_router("tcp://127.0.0.1:*");
}

TEST_CASE("a ZmtpConnection reports that the ROUTER went away", "[bench]") {
  TempDir dir;
  const std::string endpoint = "ipc://" + (dir.path() / "router.sock").string();
  std::string error;
  std::unique_ptr<ZmtpConnection> connection;
  {
    zmq::context_t context(1);
    zmq::socket_t router(context, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    router.bind(endpoint);
    connection = ZmtpConnection::open(endpoint, kTimeout, error);
    REQUIRE(connection != nullptr);
  }
  pollfd item{connection->fd(), POLLIN, 0};
  REQUIRE(::poll(&item, 1, static_cast<int>(kTimeout.count())) == 1);
  CHECK_FALSE(connection->receive([](std::string_view) {}, error));
  CHECK_THAT(error, Catch::Contains("closed"));
}

TEST_CASE("a ZmtpConnection that cannot connect names the endpoint and the cause", "[bench]") {
  TempDir dir;
  const std::string missing = "ipc://" + (dir.path() / "nobody.sock").string();
  std::string error;
  CHECK(ZmtpConnection::open(missing, kTimeout, error) == nullptr);
  CHECK_THAT(error, Catch::Contains(missing) && Catch::Contains("No such file"));

  CHECK(ZmtpConnection::open("inproc://bench", kTimeout, error) == nullptr);
  CHECK_THAT(error, Catch::Contains("inproc://bench") && Catch::Contains("ipc:// and tcp://"));
}

// A unix socket that accepts one connection and writes `bytes` to it.
class PlainPeer {
 public:
  PlainPeer(const std::filesystem::path& path, std::string bytes) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(listener_, 1) == 0);
    thread_ = std::thread([this, bytes = std::move(bytes)] {
      const int peer = ::accept(listener_, nullptr, nullptr);
      if (peer < 0) return;
      if (!bytes.empty()) (void)!::write(peer, bytes.data(), bytes.size());
      // Held open until the client gives up, so that only its own checks end it.
      char sink[256];
      while (::read(peer, sink, sizeof(sink)) > 0) {
      }
      ::close(peer);
    });
  }
  PlainPeer(const PlainPeer&) = delete;
  PlainPeer& operator=(const PlainPeer&) = delete;
  ~PlainPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }

 private:
  int listener_ = -1;
  std::thread thread_;
};

TEST_CASE("a ZmtpConnection refuses a peer that does not speak ZMTP", "[bench]") {
  TempDir dir;
  const auto path = dir.path() / "plain.sock";
  std::string error;
  SECTION("one that answers something else") {
    PlainPeer peer(path,
                   "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n" + std::string(64, ' '));
    CHECK(ZmtpConnection::open("ipc://" + path.string(), kTimeout, error) == nullptr);
    CHECK_THAT(error, Catch::Contains("not ZMTP"));
  }
  SECTION("one that says nothing") {
    PlainPeer peer(path, "");
    CHECK(ZmtpConnection::open("ipc://" + path.string(), std::chrono::milliseconds(200), error) ==
          nullptr);
    CHECK_THAT(error, Catch::Contains("timed out"));
  }
}

}  // namespace
}  // namespace todo
