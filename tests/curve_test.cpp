// tcp:// secured by ZeroMQ's CURVE, with the real todod and todo on loopback:
// key pairs from `todo keygen`, an authorized client let in, an unknown key, no
// key and a plaintext ZMTP peer refused, keys added and removed while todod
// runs, and what a relay between client and todod sees on the wire.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::ChildProcess;
using testing::Output;
using testing::RunningDaemon;

constexpr auto kTimeout = std::chrono::seconds(20);

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Output run_todo(const std::vector<std::string>& args) {
  ChildProcess todo(testing::kTodoPath, args);
  return todo.finish("", kTimeout);
}

// Key pairs, and the directory of the keys todod lets in, in a temporary
// directory.
struct Keys {
  testing::TempDir dir;
  std::filesystem::path allowed() const { return dir.path() / "allowed"; }
  std::filesystem::path file(const std::string& name) const { return dir.path() / (name + ".key"); }

  Keys() {
    std::filesystem::create_directory(allowed());
    for (const char* name : {"server", "alice", "bob", "mallory"}) {
      const Output made = run_todo({"keygen", file(name).string()});
      REQUIRE(made.exit_code == 0);
    }
    allow("alice");
  }

  void allow(const std::string& name) const {
    std::filesystem::copy_file(file(name).string() + ".pub", allowed() / (name + ".pub"));
  }
};

// todod with CURVE on an ephemeral loopback port, and ipc beside it.
class CurveDaemon {
 public:
  explicit CurveDaemon(const Keys& keys, std::vector<std::string> extra = {})
      : daemon_(place_.data_dir(), place_.endpoint(), with_curve(keys, std::move(extra))) {
    log_ = daemon_.process().read_stderr_until(" serving ", kTimeout);
    std::smatch match;
    REQUIRE(std::regex_search(log_, match, std::regex("tcp://127\\.0\\.0\\.1:([0-9]+)")));
    port_ = std::stoi(match[1]);
  }

  int port() const { return port_; }
  std::string tcp_endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  const std::string& start_line() const { return log_; }
  RunningDaemon& daemon() { return daemon_; }
  const testing::DaemonPlace& place() const { return place_; }

 private:
  static std::vector<std::string> with_curve(const Keys& keys, std::vector<std::string> extra) {
    std::vector<std::string> args = {"--listen",           "tcp://127.0.0.1:*",
                                     "--curve-secret-key", keys.file("server").string(),
                                     "--curve-allow",      keys.allowed().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  testing::DaemonPlace place_;
  RunningDaemon daemon_;
  std::string log_;
  int port_ = 0;
};

// todo over tcp:// as the named key's owner.
Output todo_as(const Keys& keys, const std::string& name, const std::string& endpoint,
               std::vector<std::string> args) {
  std::vector<std::string> full = {"--endpoint",   endpoint,
                                   "--curve-key",  keys.file(name).string(),
                                   "--server-key", keys.file("server").string() + ".pub",
                                   "--timeout",    "5000"};
  full.insert(full.end(), args.begin(), args.end());
  return run_todo(full);
}

// Whether the key's owner gets in within a few seconds.
bool eventually_served(const Keys& keys, const std::string& name, const std::string& endpoint) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (todo_as(keys, name, endpoint, {"lists"}).exit_code != 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

int connect_to_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

// A TCP relay on a loopback port between one client and todod, keeping every
// byte that passes in either direction: what someone on the network would see.
class WireRecorder {
 public:
  explicit WireRecorder(int target_port) : target_port_(target_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 4) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    relay_ = std::thread([this] { relay(); });
  }
  ~WireRecorder() {
    is_stopping_ = true;
    relay_.join();
    ::close(listener_);
  }

  std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  std::string seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  void relay() {
    pollfd accepting = {listener_, POLLIN, 0};
    while (!is_stopping_ && ::poll(&accepting, 1, 50) == 0) {
    }
    if (is_stopping_) return;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    const int server = connect_to_loopback(target_port_);
    pollfd ends[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    char buffer[65536];
    while (!is_stopping_) {
      if (::poll(ends, 2, 50) <= 0) continue;
      bool is_closed = false;
      for (int from = 0; from < 2; ++from) {
        if (ends[from].revents == 0) continue;
        const ssize_t n = ::read(ends[from].fd, buffer, sizeof buffer);
        if (n <= 0) {
          is_closed = true;
          break;
        }
        {
          std::lock_guard lock(mutex_);
          seen_.append(buffer, static_cast<std::size_t>(n));
        }
        if (::write(ends[1 - from].fd, buffer, static_cast<std::size_t>(n)) != n) is_closed = true;
      }
      if (is_closed) break;
    }
    ::close(client);
    ::close(server);
  }

  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> is_stopping_{false};
  std::mutex mutex_;
  std::string seen_;
  std::thread relay_;
};

TEST_CASE("todo keygen writes a key pair whose secret only its owner can read", "[curve]") {
  testing::TempDir dir;
  const auto file = dir.path() / "me.key";
  const Output made = run_todo({"keygen", file.string()});
  REQUIRE(made.exit_code == 0);
  struct stat secret {};
  struct stat public_file {};
  REQUIRE(::stat(file.c_str(), &secret) == 0);
  REQUIRE(::stat((file.string() + ".pub").c_str(), &public_file) == 0);
  CHECK((secret.st_mode & 0777) == 0600);
  CHECK((public_file.st_mode & 0777) == 0644);
  const std::string public_key = read_file(file.string() + ".pub");
  CHECK_THAT(public_key, Catch::Matches("public-key = .{40}\n"));
  CHECK_THAT(read_file(file), Catch::Contains(public_key) && Catch::Contains("secret-key = "));
  CHECK_THAT(made.out, Catch::Contains(public_key.substr(13, 40)));

  const std::string before = read_file(file);
  const Output again = run_todo({"keygen", file.string()});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("never overwritten"));
  CHECK(read_file(file) == before);
}

TEST_CASE("an authorized CURVE client is served; an unknown key, none, and plaintext are not",
          "[curve]") {
  Keys keys;
  CurveDaemon todod(keys);
  CHECK_THAT(todod.start_line(),
             Catch::Contains("(CURVE)") &&
                 Catch::Contains(read_file(keys.file("server").string() + ".pub").substr(13, 40)));
  const std::string tcp = todod.tcp_endpoint();

  const Output added = todo_as(keys, "alice", tcp, {"add", "alice", "2024-01-02", "hers"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CHECK(todo_as(keys, "alice", tcp, {"entries", "alice"}).out == "1 2024-01-02 [ ] hers\n");

  const Output unknown = todo_as(keys, "mallory", tcp, {"drop", "alice", "--yes"});
  CHECK(unknown.exit_code == 3);
  CHECK_THAT(unknown.err, Catch::Contains("refused this client's CURVE key"));
  CHECK_THAT(todod.daemon().process().read_stderr_until("refused a CURVE client", kTimeout),
             Catch::Contains("refused a CURVE client from 127.0.0.1"));

  const Output without_key = run_todo({"--endpoint", tcp, "drop", "alice", "--yes"});
  CHECK(without_key.exit_code == 2);
  CHECK_THAT(without_key.err, Catch::Contains("in plaintext"));
  const Output plaintext = run_todo(
      {"--endpoint", tcp, "--insecure-tcp", "--timeout", "5000", "drop", "alice", "--yes"});
  CHECK(plaintext.exit_code == 3);
  CHECK_THAT(plaintext.err, Catch::Contains("wants CURVE"));

  // A ZMTP peer offering the NULL mechanism, byte by byte: todod closes the
  // connection without a word past a greeting. (A plaintext server would
  // answer and wait for the peer's READY, holding the connection open.)
  const int peer = connect_to_loopback(todod.port());
  std::string greeting(64, '\0');
  greeting[0] = '\xff';
  greeting[9] = '\x7f';
  greeting[10] = 3;
  greeting.replace(12, 4, "NULL");
  REQUIRE(::write(peer, greeting.data(), greeting.size()) == 64);
  std::string answer;
  bool is_closed = false;
  char buffer[512];
  pollfd readable = {peer, POLLIN, 0};
  while (!is_closed && ::poll(&readable, 1, 5000) > 0) {
    const ssize_t n = ::read(peer, buffer, sizeof buffer);
    if (n > 0) answer.append(buffer, static_cast<std::size_t>(n));
    is_closed = n <= 0;
  }
  ::close(peer);
  CHECK(is_closed);
  CHECK(answer.size() <= 64);

  // Nothing any of them asked for happened.
  CHECK(todo_as(keys, "alice", tcp, {"lists"}).out == "alice\n");
  CHECK(testing::run_todo_ok(todod.place().endpoint(), {"entries", "alice"}) ==
        "1 2024-01-02 [ ] hers\n");
}

TEST_CASE("keys added to and removed from the allowed directory count without a restart",
          "[curve]") {
  Keys keys;
  CurveDaemon todod(keys);
  const std::string tcp = todod.tcp_endpoint();
  CHECK(todo_as(keys, "bob", tcp, {"lists"}).exit_code == 3);
  keys.allow("bob");
  CHECK(todo_as(keys, "bob", tcp, {"lists"}).exit_code == 0);
  std::filesystem::remove(keys.allowed() / "bob.pub");
  const Output revoked = todo_as(keys, "bob", tcp, {"lists"});
  CHECK(revoked.exit_code == 3);
  CHECK_THAT(revoked.err, Catch::Contains("refused this client's CURVE key"));
  CHECK(todo_as(keys, "alice", tcp, {"lists"}).exit_code == 0);
}

TEST_CASE("only regular files no one else can write count as authorized keys", "[curve]") {
  Keys keys;
  CurveDaemon todod(keys);
  const std::string tcp = todod.tcp_endpoint();
  // A symbolic link to bob's key: whoever can change what it points to could
  // let anyone in.
  std::filesystem::create_symlink(keys.file("bob").string() + ".pub", keys.allowed() / "bob.pub");
  CHECK(todo_as(keys, "bob", tcp, {"lists"}).exit_code == 3);
  std::filesystem::remove(keys.allowed() / "bob.pub");
  keys.allow("bob");
  ::chmod((keys.allowed() / "bob.pub").c_str(), 0664);
  CHECK(todo_as(keys, "bob", tcp, {"lists"}).exit_code == 3);
  CHECK_THAT(todod.daemon().process().read_stderr_until("writable by its group", kTimeout),
             Catch::Contains("bob.pub: writable by its group or others"));
  // A change to a file, not to the directory, is seen within a second.
  ::chmod((keys.allowed() / "bob.pub").c_str(), 0644);
  CHECK(eventually_served(keys, "bob", tcp));
}

TEST_CASE("ipc:// stays without CURVE and tcp:// with it, whatever order they are given in",
          "[curve]") {
  Keys keys;
  testing::DaemonPlace place;
  RunningDaemon todod(place.data_dir(), "tcp://127.0.0.1:*",
                      {"--listen", place.endpoint(), "--curve-secret-key",
                       keys.file("server").string(), "--curve-allow", keys.allowed().string()});
  const std::string log = todod.process().read_stderr_until(" serving ", kTimeout);
  std::smatch match;
  REQUIRE(std::regex_search(log, match, std::regex("tcp://127\\.0\\.0\\.1:[0-9]+")));
  const std::string tcp = match[0];
  CHECK(testing::run_todo_ok(place.endpoint(), {"add", "l", "today", "over ipc"}) == "1\n");
  CHECK(todo_as(keys, "alice", tcp, {"lists"}).out == "l\n");
  const Output plaintext =
      run_todo({"--endpoint", tcp, "--insecure-tcp", "--timeout", "3000", "lists"});
  CHECK(plaintext.exit_code == 3);
  CHECK_THAT(plaintext.err, Catch::Contains("wants CURVE"));
}

TEST_CASE("CURVE traffic does not show titles on the wire; plaintext does", "[curve]") {
  const std::string title = "my bank PIN is 4321";
  Keys keys;
  {
    CurveDaemon todod(keys);
    WireRecorder wire(todod.port());
    const Output added = todo_as(keys, "alice", wire.endpoint(), {"add", "bank", "today", title});
    INFO(added.err);
    REQUIRE(added.exit_code == 0);
    CHECK(wire.seen().size() > 64);
    CHECK_THAT(wire.seen(), !Catch::Contains("4321") && !Catch::Contains("bank"));
  }
  {
    // The same relay sees the title when the traffic is plaintext: the
    // recording is of what the connection carries.
    testing::DaemonPlace place;
    RunningDaemon todod(place.data_dir(), "tcp://127.0.0.1:*", {"--insecure-tcp"});
    std::smatch match;
    const std::string log = todod.process().read_stderr_until(" serving ", kTimeout);
    REQUIRE(std::regex_search(log, match, std::regex("tcp://127\\.0\\.0\\.1:([0-9]+)")));
    CHECK_THAT(log, Catch::Contains("(plaintext, no authentication)"));
    WireRecorder wire(std::stoi(match[1]));
    const Output added =
        run_todo({"--endpoint", wire.endpoint(), "--insecure-tcp", "add", "bank", "today", title});
    REQUIRE(added.exit_code == 0);
    CHECK_THAT(wire.seen(), Catch::Contains(title));
  }
}

TEST_CASE("todod refuses tcp:// without CURVE, and plaintext beyond loopback", "[curve]") {
  testing::DaemonPlace place;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--listen", "tcp://127.0.0.1:*"},
           {"--listen", "tcp://0.0.0.0:*", "--insecure-tcp"},
           {"--listen", "tcp://*:*", "--insecure-tcp"},
           {"--listen", place.endpoint(), "--listen", "tcp://[::]:*", "--insecure-tcp"}}) {
    std::vector<std::string> full = {"--data-dir", place.data_dir().string()};
    full.insert(full.end(), args.begin(), args.end());
    ChildProcess todod(testing::kTododPath, full);
    const Output output = todod.collect(kTimeout);
    INFO(output.err);
    CHECK(output.exit_code == 1);
    CHECK_THAT(output.err, Catch::Contains("refusing to listen on tcp://"));
    // Refused before anything was made on disk.
    CHECK_FALSE(std::filesystem::exists(place.data_dir()));
  }
}

TEST_CASE("key files and directories others could read or write are refused", "[curve]") {
  Keys keys;
  testing::DaemonPlace place;
  const auto start = [&](const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--data-dir", place.data_dir().string(), "--listen",
                                     "tcp://127.0.0.1:*"};
    full.insert(full.end(), args.begin(), args.end());
    ChildProcess todod(testing::kTododPath, full);
    return todod.collect(kTimeout);
  };
  const std::string secret = keys.file("server").string();
  const std::string allowed = keys.allowed().string();

  ::chmod(secret.c_str(), 0640);
  Output output = start({"--curve-secret-key", secret, "--curve-allow", allowed});
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::Contains("chmod 600 " + secret));
  const Output client = run_todo({"--endpoint", "tcp://127.0.0.1:9", "--curve-key", secret,
                                  "--server-key", secret + ".pub", "lists"});
  CHECK(client.exit_code == 2);
  CHECK_THAT(client.err, Catch::Contains("chmod 600 " + secret));
  ::chmod(secret.c_str(), 0600);

  ::chmod(allowed.c_str(), 0777);
  output = start({"--curve-secret-key", secret, "--curve-allow", allowed});
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::Contains(allowed) && Catch::Contains("others could replace"));
  ::chmod(allowed.c_str(), 0755);

  output = start({"--curve-secret-key", secret});
  CHECK(output.exit_code == 2);
  CHECK_THAT(output.err, Catch::Contains("--curve-allow"));
  output = start({"--curve-secret-key", secret + ".pub", "--curve-allow", allowed});
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::Contains("holds no key pair"));
}

TEST_CASE("todo reads its endpoint and keys from its config file", "[curve]") {
  Keys keys;
  CurveDaemon todod(keys);
  testing::TempDir config_home;
  std::filesystem::create_directory(config_home.path() / "todo");
  std::ofstream(config_home.path() / "todo" / "config")
      << "endpoint = \"" << todod.tcp_endpoint() << "\"\n"
      << "curve-key = \"" << keys.file("alice").string() << "\"\n"
      << "server-key = \"" << keys.file("server").string() << ".pub\"\n";
  ChildProcess todo(testing::kTodoPath, {"add", "alice", "2024-01-02", "from the config"},
                    {{"XDG_CONFIG_HOME", config_home.path().string()}});
  const Output added = todo.finish("", kTimeout);
  INFO(added.err);
  CHECK(added.exit_code == 0);
  CHECK(testing::run_todo_ok(todod.place().endpoint(), {"entries", "alice"}) ==
        "1 2024-01-02 [ ] from the config\n");
}

}  // namespace
}  // namespace todo
