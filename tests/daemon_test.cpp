// todod as a process: persistence across SIGTERM and kill -9, refusing bad
// input on the wire, conflicts on the data directory and the endpoint, flags,
// and the systemd notification protocol.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <zmq.hpp>

#include "common/protocol.hpp"
#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::DaemonPlace;
using testing::Output;
using testing::run_todo;
using testing::RunningDaemon;

// A raw DEALER connection, for sending what the todo client never would.
class RawClient {
 public:
  explicit RawClient(const std::string& endpoint) : socket_(context_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }

  void send_frames(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      socket_.send(zmq::buffer(frames[i]),
                   i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }

  std::optional<Reply> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, timeout);
    zmq::message_t message;
    if (!socket_.recv(message, zmq::recv_flags::dontwait)) return std::nullopt;
    auto reply = decode_reply(message.to_string_view());
    REQUIRE(reply.ok());
    return std::move(reply).value();
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

std::string ok(const std::string& endpoint, const std::vector<std::string>& args) {
  return testing::run_todo_ok(endpoint, args);
}

TEST_CASE("SIGTERM stops todod cleanly and a restart finds everything", "[daemon]") {
  DaemonPlace place;
  std::string listing;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    ok(place.endpoint(), {"add", "alice", "2018-12-19", "Dentist"});
    ok(place.endpoint(), {"add", "alice", "2018-12-20", "Shopping"});
    ok(place.endpoint(), {"done", "alice", "2"});
    ok(place.endpoint(), {"add", "bob", "2018-12-21", "Gym"});
    listing = ok(place.endpoint(), {"entries", "alice"});
    const auto started = std::chrono::steady_clock::now();
    CHECK(daemon.stop() == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    const std::string log = daemon.process().read_stderr_until("stopped", std::chrono::seconds(1));
    CHECK_THAT(log, Catch::Contains("todod stopped"));
  }
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  CHECK(ok(place.endpoint(), {"entries", "alice"}) == listing);
  CHECK(ok(place.endpoint(), {"lists"}) == "alice\nbob\n");
  CHECK(ok(place.endpoint(), {"add", "alice", "2018-12-22", "Next"}) == "3\n");
}

TEST_CASE("kill -9 right after acknowledged adds loses none of them", "[daemon]") {
  for (const char* mode : {"--sync", "--no-sync"}) {
    DaemonPlace place;
    std::string batch;
    for (int i = 0; i < 300; ++i) batch += "add crash 2023-04-04 entry " + std::to_string(i) + "\n";
    {
      RunningDaemon daemon(place.data_dir(), place.endpoint(), {mode});
      Output output = run_todo(place.endpoint(), {"batch"}, batch);
      REQUIRE(output.exit_code == 0);
      daemon.kill_hard();
    }
    RunningDaemon daemon(place.data_dir(), place.endpoint(), {mode});
    const std::string entries = ok(place.endpoint(), {"entries", "crash"});
    INFO("mode " << mode);
    CHECK(std::count(entries.begin(), entries.end(), '\n') == 300);
    CHECK_THAT(entries, Catch::Contains("300 2023-04-04 [ ] entry 299\n"));
  }
}

TEST_CASE("garbage, wrong versions and oversized frames get error replies", "[daemon]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  RawClient raw(place.endpoint());

  raw.send_frames({"\x07garbage"});
  auto garbage = raw.receive();
  REQUIRE(garbage);
  CHECK(garbage->status == StatusCode::invalid_argument);
  CHECK_THAT(garbage->message, Catch::Contains("corrupt request"));

  // A valid ping with the version field changed to 9: the id still comes back.
  std::string newer = encode_request({77, Ping{}});
  newer[1] = 9;
  raw.send_frames({newer});
  auto versioned = raw.receive();
  REQUIRE(versioned);
  CHECK(versioned->request_id == 77);
  CHECK(versioned->status == StatusCode::invalid_argument);
  CHECK_THAT(versioned->message, Catch::Contains("newer"));

  const std::string big_title(70 * 1024, 'x');
  raw.send_frames({encode_request({78, ListCommand{"big", AddEntry{Date(), big_title}}})});
  auto oversized = raw.receive();
  REQUIRE(oversized);
  CHECK(oversized->request_id == 78);
  CHECK(oversized->status == StatusCode::invalid_argument);
  CHECK_THAT(oversized->message, Catch::Contains("larger than the limit"));

  raw.send_frames({encode_request({79, Ping{}}), "second frame"});
  auto two_frames = raw.receive();
  REQUIRE(two_frames);
  CHECK_THAT(two_frames->message, Catch::Contains("one frame"));

  raw.send_frames({""});
  auto empty = raw.receive();
  REQUIRE(empty);
  CHECK(empty->status == StatusCode::invalid_argument);

  // Over the receive limit: ZeroMQ drops the connection; no reply, no harm.
  RawClient huge(place.endpoint());
  huge.send_frames({std::string(2 * 1024 * 1024, 'z')});
  CHECK_FALSE(huge.receive(std::chrono::milliseconds(300)));

  raw.send_frames({encode_request({80, Ping{}})});
  auto ping = raw.receive();
  REQUIRE(ping);
  CHECK(ping->request_id == 80);
  CHECK(ping->status == StatusCode::ok);
  CHECK(std::holds_alternative<PingInfo>(ping->payload));
  CHECK(ok(place.endpoint(), {"lists"}).empty());
}

TEST_CASE("a todod command line that does not parse exits 2, saying so as todod", "[daemon]") {
  DaemonPlace place;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--bogus"}, {"--threads", "x"}, {"--threads", "1000"}, {"--idle-timeout", "soon"}}) {
    std::vector<std::string> full = {"--data-dir", place.data_dir().string(), "--listen",
                                     place.endpoint()};
    full.insert(full.end(), args.begin(), args.end());
    testing::ChildProcess todod(testing::kTododPath, full);
    Output output = todod.collect(std::chrono::seconds(10));
    INFO("args: " << args[0] << " stderr: " << output.err);
    CHECK(output.exit_code == 2);
    CHECK_THAT(output.err, Catch::StartsWith("todod: ") && Catch::Contains(args[0]) &&
                               Catch::Contains("(try --help)"));
  }
}

TEST_CASE("a second todod on the same data directory is refused", "[daemon]") {
  DaemonPlace place;
  RunningDaemon first(place.data_dir(), place.endpoint());
  testing::ChildProcess second(testing::kTododPath,
                               {"--data-dir", place.data_dir().string(), "--listen",
                                "ipc://" + (place.dir.path() / "other.sock").string()});
  Output output = second.collect(std::chrono::seconds(10));
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::Contains(place.data_dir().string()));
  CHECK_THAT(output.err, Catch::Contains("in use"));
  CHECK(ok(place.endpoint(), {"ping"}).find("todod") == 0);
}

TEST_CASE("a second todod on an endpoint already served is refused", "[daemon]") {
  DaemonPlace place;
  RunningDaemon first(place.data_dir(), place.endpoint());
  testing::ChildProcess second(
      testing::kTododPath,
      {"--data-dir", (place.dir.path() / "new" / "data2").string(), "--listen", place.endpoint()});
  Output output = second.collect(std::chrono::seconds(10));
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::Contains(place.endpoint()));
  CHECK_THAT(output.err, Catch::Contains("already served"));
  // The data directory it made, and the one above, are gone again.
  CHECK_FALSE(std::filesystem::exists(place.dir.path() / "new"));
  CHECK(ok(place.endpoint(), {"ping"}).find("todod") == 0);
}

TEST_CASE("a todod whose HTTP address is taken exits 1 and leaves nothing on disk", "[daemon]") {
  DaemonPlace place;
  const int taken = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(taken >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(::bind(taken, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(taken, 1) == 0);
  REQUIRE(::getsockname(taken, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const std::string http = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  testing::ChildProcess todod(
      testing::kTododPath, {"--data-dir", (place.dir.path() / "new" / "data").string(), "--listen",
                            place.endpoint(), "--http", http});
  Output output = todod.collect(std::chrono::seconds(10));
  ::close(taken);
  INFO(output.err);
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::StartsWith("todod: ") && Catch::Contains(http));
  CHECK_FALSE(std::filesystem::exists(place.dir.path() / "new"));
  // A data directory that was there before is kept, whatever the failure.
  std::filesystem::create_directories(place.data_dir());
  const int again = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(::bind(again, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(again, 1) == 0);
  testing::ChildProcess existing(
      testing::kTododPath,
      {"--data-dir", place.data_dir().string(), "--listen", place.endpoint(), "--http", http});
  CHECK(existing.collect(std::chrono::seconds(10)).exit_code == 1);
  ::close(again);
  CHECK(std::filesystem::is_directory(place.data_dir()));
}

TEST_CASE("a todod that stops leaves a newer todod's socket on the same path", "[daemon]") {
  DaemonPlace place;
  RunningDaemon older(place.data_dir(), place.endpoint());
  // As when the older one is stopping and no longer accepts: its socket file
  // is replaced by the newer daemon's.
  std::filesystem::remove(place.endpoint().substr(std::string("ipc://").size()));
  RunningDaemon newer(place.dir.path() / "data2", place.endpoint());
  REQUIRE(older.stop() == 0);
  CHECK(ok(place.endpoint(), {"ping"}).find("todod") == 0);
  REQUIRE(newer.stop() == 0);
  CHECK_FALSE(std::filesystem::exists(place.endpoint().substr(std::string("ipc://").size())));
}

TEST_CASE("the socket's directory is created for its owner only", "[daemon]") {
  DaemonPlace place;
  const auto socket_dir = place.dir.path() / "run" / "todo";
  const std::string endpoint = "ipc://" + (socket_dir / "todod.sock").string();
  RunningDaemon daemon(place.data_dir(), endpoint);
  const auto perms = std::filesystem::status(socket_dir).permissions();
  CHECK((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none);
  CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
  CHECK(ok(endpoint, {"ping"}).find("todod") == 0);
}

TEST_CASE("a stale socket file left by a crash does not stop a restart", "[daemon]") {
  DaemonPlace place;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    daemon.kill_hard();
  }
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  CHECK(ok(place.endpoint(), {"ping"}).find("todod") == 0);
}

TEST_CASE("bad flag values are refused naming the flag", "[daemon]") {
  DaemonPlace place;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--db-workers", "0"},
                                             {"--db-workers", "many"},
                                             {"--threads", "-1"},
                                             {"--frobnicate"}}) {
    std::vector<std::string> full = {"--data-dir", place.data_dir().string()};
    full.insert(full.end(), args.begin(), args.end());
    testing::ChildProcess todod(testing::kTododPath, full);
    Output output = todod.collect(std::chrono::seconds(10));
    INFO(output.err);
    CHECK(output.exit_code != 0);
    CHECK_THAT(output.err, Catch::Contains(args[0]));
  }
  testing::ChildProcess version(testing::kTododPath, {"--version"});
  Output output = version.collect(std::chrono::seconds(10));
  CHECK(output.exit_code == 0);
  CHECK_THAT(output.out, Catch::StartsWith("todod "));
}

TEST_CASE("an endpoint that cannot be bound is reported by name", "[daemon]") {
  DaemonPlace place;
  testing::ChildProcess todod(testing::kTododPath, {"--data-dir", place.data_dir().string(),
                                                    "--listen", "tcp://256.0.0.1:1"});
  Output output = todod.collect(std::chrono::seconds(10));
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::Contains("tcp://256.0.0.1:1"));
}

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~NotifySocket() { ::close(fd_); }

  // Datagrams received until one contains text, or the timeout.
  std::string receive_until(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(text) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd fd = {fd_, POLLIN, 0};
      if (::poll(&fd, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) received_.append(buffer, static_cast<std::size_t>(n)).append("\n");
    }
    return received_;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::string received_;
};

TEST_CASE("under systemd: READY=1, WATCHDOG=1 heartbeats, STOPPING=1", "[daemon][systemd]") {
  DaemonPlace place;
  const auto notify_path = place.dir.path() / "notify.sock";
  NotifySocket notify(notify_path);
  RunningDaemon daemon(place.data_dir(), place.endpoint(), {},
                       {{"NOTIFY_SOCKET", notify_path.string()}, {"WATCHDOG_USEC", "200000"}});
  CHECK_THAT(notify.receive_until("READY=1", std::chrono::seconds(5)), Catch::Contains("READY=1"));
  CHECK_THAT(notify.receive_until("WATCHDOG=1", std::chrono::seconds(5)),
             Catch::Contains("WATCHDOG=1"));
  CHECK(daemon.stop() == 0);
  CHECK_THAT(notify.receive_until("STOPPING=1", std::chrono::seconds(5)),
             Catch::Contains("STOPPING=1"));
}

}  // namespace
}  // namespace todo
