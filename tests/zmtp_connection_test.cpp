// todo-bench's own ZMTP client against a real libzmq ROUTER, on ipc:// and
// 127.0.0.1, and against peers that are not ZeroMQ at all.
#include "bench/zmtp_connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <limits>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "temp_dir.hpp"

namespace todo {
namespace {

using bench::ZmtpConnection;
using testing::TempDir;

constexpr std::chrono::milliseconds kTimeout{5'000};

// What the connection delivered until `count` messages came, it failed (then
// `error` says why) or the timeout passed.
struct Received {
  std::vector<std::string> messages;
  bool is_open = true;
};
Received receive_until(ZmtpConnection& connection, std::size_t count, std::string& error) {
  Received received;
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (received.is_open && received.messages.size() < count &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd item{connection.fd(), POLLIN, 0};
    ::poll(&item, 1, 100);
    received.is_open = connection.receive(
        [&](std::string_view message) { received.messages.emplace_back(message); }, error);
  }
  return received;
}

// Receives what the connection delivers until `count` messages came.
std::vector<std::string> receive_messages(ZmtpConnection& connection, std::size_t count) {
  std::string error;
  Received received = receive_until(connection, count, error);
  INFO(error);
  REQUIRE(received.is_open);
  return received.messages;
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

// A unix socket that accepts one connection and writes `chunks` to it, a
// millisecond apart, then holds it open until the client closes it.
class ScriptedPeer {
 public:
  ScriptedPeer(const std::filesystem::path& path, std::vector<std::string> chunks) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    const bool is_listening =
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::listen(listener_, 1) == 0;
    if (!is_listening) ::close(listener_);
    REQUIRE(is_listening);
    thread_ = std::thread([this, chunks = std::move(chunks)] {
      const int peer = ::accept(listener_, nullptr, nullptr);
      if (peer < 0) return;
      for (const std::string& chunk : chunks) {
        (void)!::write(peer, chunk.data(), chunk.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      char sink[256];
      while (::read(peer, sink, sizeof(sink)) > 0) {
      }
      ::close(peer);
    });
  }
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;
  ~ScriptedPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }

 private:
  int listener_ = -1;
  std::thread thread_;
};

// What a ZMTP 3.0 ROUTER says first: its greeting, one byte a chunk, so that
// the client must put it together; then READY.
std::vector<std::string> router_handshake() {
  std::string greeting(64, '\0');
  greeting[0] = '\xff';
  greeting[9] = '\x7f';
  greeting[10] = 3;
  std::memcpy(&greeting[12], "NULL", 4);
  std::vector<std::string> chunks;
  for (char byte : greeting) chunks.emplace_back(1, byte);
  const std::string ready = std::string("\x05READY\x0bSocket-Type\0\0\0\x06ROUTER", 28);
  chunks.push_back(std::string("\x04") + static_cast<char>(ready.size()) + ready);
  return chunks;
}

TEST_CASE("a ZmtpConnection refuses a peer that does not speak ZMTP", "[bench]") {
  TempDir dir;
  const auto path = dir.path() / "plain.sock";
  std::string error;
  SECTION("one that answers something else") {
    ScriptedPeer peer(path, {"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"});
    CHECK(ZmtpConnection::open("ipc://" + path.string(), kTimeout, error) == nullptr);
    CHECK_THAT(error, Catch::Contains("not ZMTP"));
  }
  SECTION("one that says nothing") {
    ScriptedPeer peer(path, {});
    CHECK(ZmtpConnection::open("ipc://" + path.string(), std::chrono::milliseconds(200), error) ==
          nullptr);
    CHECK_THAT(error, Catch::Contains("timed out"));
  }
  SECTION("one that refuses the handshake") {
    std::vector<std::string> chunks = router_handshake();
    chunks.back() = std::string(
        "\x04\x0a\x05"
        "ERROR"
        "\x03"
        "no!",
        12);
    ScriptedPeer peer(path, chunks);
    CHECK(ZmtpConnection::open("ipc://" + path.string(), kTimeout, error) == nullptr);
    CHECK_THAT(error, Catch::Contains("the peer refused: no!"));
  }
}

TEST_CASE("a ZmtpConnection refuses a ZeroMQ socket that is not a ROUTER", "[bench]") {
  TempDir dir;
  const std::string endpoint = "ipc://" + (dir.path() / "dealer.sock").string();
  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.bind(endpoint);
  std::string error;
  CHECK(ZmtpConnection::open(endpoint, kTimeout, error) == nullptr);
  CHECK_THAT(error, Catch::Contains("DEALER, not a ROUTER"));
}

TEST_CASE("a ZmtpConnection takes a greeting in pieces and skips commands", "[bench]") {
  TempDir dir;
  const auto path = dir.path() / "scripted.sock";
  std::vector<std::string> chunks = router_handshake();
  chunks.push_back(std::string("\x04\x07\x04PING\0\0", 9));  // a heartbeat, TTL 0
  chunks.push_back(std::string("\x00\x02hi", 4));
  std::string error;
  SECTION("then gives the messages") {
    ScriptedPeer peer(path, chunks);
    auto connection = ZmtpConnection::open("ipc://" + path.string(), kTimeout, error);
    INFO(error);
    REQUIRE(connection != nullptr);
    CHECK(receive_messages(*connection, 1) == std::vector<std::string>{"hi"});
  }
  SECTION("and ends at a frame no peer may send") {
    const auto expect_refusal = [&](const std::string& frame, const std::string& reason) {
      std::vector<std::string> script = chunks;
      script.push_back(frame);
      ScriptedPeer peer(path, script);
      auto connection = ZmtpConnection::open("ipc://" + path.string(), kTimeout, error);
      REQUIRE(connection != nullptr);
      const bool is_open =
          receive_until(*connection, std::numeric_limits<std::size_t>::max(), error).is_open;
      CHECK_FALSE(is_open);
      CHECK_THAT(error, Catch::Contains(path.string()) && Catch::Contains(reason));
      std::filesystem::remove(path);
    };
    expect_refusal(std::string("\x08\x01x", 3), "reserved bits");
    expect_refusal(std::string("\x02\0\0\x01\0\0\0\0\0", 9), "over the");
  }
}

TEST_CASE("a ZmtpConnection sends more than the socket takes at once", "[bench]") {
  TempDir dir;
  const std::string endpoint = "ipc://" + (dir.path() / "router.sock").string();
  zmq::context_t context(1);
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::rcvtimeo, static_cast<int>(kTimeout.count()));
  router.bind(endpoint);
  std::string error;
  auto connection = ZmtpConnection::open(endpoint, kTimeout, error);
  REQUIRE(connection != nullptr);

  constexpr std::size_t kMessages = 1'000;
  for (std::size_t i = 0; i < kMessages; ++i) {
    connection->queue(std::to_string(i) + std::string(10'000, 'm'));
  }
  REQUIRE(connection->flush(error));
  // 10 MB is far over a unix socket's buffer: the rest waits for room.
  CHECK(connection->has_unsent());
  std::thread sender([&] {
    while (connection->has_unsent()) {
      pollfd item{connection->fd(), POLLOUT, 0};
      ::poll(&item, 1, 100);
      if (!connection->flush(error)) return;
    }
  });
  std::size_t received = 0;
  bool is_in_order = true;
  for (; received < kMessages; ++received) {
    const std::vector<std::string> frames = router_receive(router);
    if (frames.size() != 2 || frames[1] != std::to_string(received) + std::string(10'000, 'm')) {
      is_in_order = false;
      break;
    }
  }
  sender.join();
  INFO(error);
  CHECK(received == kMessages);
  CHECK(is_in_order);
}

}  // namespace
}  // namespace todo
