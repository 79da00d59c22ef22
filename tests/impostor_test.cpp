// A second, unprivileged local user (nobody, uid 65534) attacks the victim
// running this test: a socket directory made in the victim's place, a symbolic
// link there, an impostor's socket swapped into the victim's directory. The
// impostor is a real todod run as that user. todod must refuse to listen in
// what the attacker controls, and todo must send the attacker nothing.
//
// Acting as another user takes root (setpriv): run as anyone else, the test
// reports itself skipped (exit 77) with the reason. socket_trust_test.cpp has
// what any user can check.
#define CATCH_CONFIG_RUNNER
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <regex>

#include "common/socket_trust.hpp"
#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::ChildProcess;
using testing::Output;
using testing::run_todo;
using testing::RunningDaemon;

constexpr uid_t kAttackerUid = 65534;
constexpr const char* kSetpriv = "/usr/bin/setpriv";
constexpr auto kTimeout = std::chrono::seconds(20);

std::vector<std::string> as_attacker(const std::string& program,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> full = {"--reuid=" + std::to_string(kAttackerUid),
                                   "--regid=" + std::to_string(kAttackerUid), "--clear-groups",
                                   "--", program};
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

Output run_as_attacker(const std::string& program, const std::vector<std::string>& args) {
  ChildProcess child(kSetpriv, as_attacker(program, args));
  return child.collect(kTimeout);
}

std::string endpoint_in(const std::filesystem::path& directory) {
  return "ipc://" + (directory / "todod.sock").string();
}

// A temporary directory the attacker can reach, holding a shared directory
// like /tmp (mode 1777): where /tmp/todo-UID would be made.
struct Scene {
  testing::TempDir dir;
  std::filesystem::path shared() const { return dir.path() / "shared"; }
  std::filesystem::path victim_data() const { return dir.path() / "victim-data"; }
  // The path the victim's todod and todo use.
  std::filesystem::path victim_socket_dir() const { return shared() / "todo-victim"; }

  Scene() {
    ::chmod(dir.path().c_str(), 0755);
    std::filesystem::create_directory(shared());
    ::chmod(shared().c_str(), 01777);
  }
};

// A real todod, run by the attacker, serving from a directory the attacker
// owns (mode 0755, so the victim can reach it).
class Impostor {
 public:
  Impostor(const Scene& scene, const std::filesystem::path& socket_dir)
      : socket_dir_(socket_dir), data_dir_(scene.shared() / "impostor-data") {
    if (!std::filesystem::exists(socket_dir)) {
      REQUIRE(run_as_attacker("/bin/mkdir", {"-m", "0755", socket_dir.string()}).exit_code == 0);
    }
    process_ = std::make_unique<ChildProcess>(
        kSetpriv, as_attacker(testing::kTododPath,
                              {"--data-dir", data_dir_.string(), "--listen", endpoint()}));
    const std::string log = process_->read_stderr_until(" serving ", kTimeout);
    REQUIRE_THAT(log, Catch::Contains(" serving "));
  }

  std::string endpoint() const { return endpoint_in(socket_dir_); }

  // What the impostor was told, asked by the attacker.
  std::string lists() const {
    const Output output = run_as_attacker(testing::kTodoPath, {"--endpoint", endpoint(), "lists"});
    INFO(output.err);
    REQUIRE(output.exit_code == 0);
    return output.out;
  }

 private:
  std::filesystem::path socket_dir_;
  std::filesystem::path data_dir_;
  std::unique_ptr<ChildProcess> process_;
};

Output start_victim_todod(const Scene& scene, const std::string& endpoint) {
  ChildProcess todod(testing::kTododPath,
                     {"--data-dir", scene.victim_data().string(), "--listen", endpoint});
  return todod.collect(kTimeout);
}

const std::vector<std::string> kSecret = {"add", "secret", "2024-01-02", "my bank PIN is 4321"};

TEST_CASE("a world-writable socket directory made by another user is refused", "[impostor]") {
  Scene scene;
  const auto directory = scene.victim_socket_dir();
  REQUIRE(run_as_attacker("/bin/mkdir", {"-m", "0777", directory.string()}).exit_code == 0);

  const Output refused = start_victim_todod(scene, endpoint_in(directory));
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains(directory.string()) && Catch::Contains("uid 65534") &&
                              Catch::Contains("mode 0777"));
  CHECK_FALSE(std::filesystem::exists(directory / "todod.sock"));
}

TEST_CASE("an impostor in a directory another user made gets nothing from todo", "[impostor]") {
  Scene scene;
  const auto directory = scene.victim_socket_dir();
  Impostor impostor(scene, directory);

  const Output refused = start_victim_todod(scene, endpoint_in(directory));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("uid 65534"));

  const Output sent = run_todo(endpoint_in(directory), kSecret);
  INFO(sent.err);
  CHECK(sent.exit_code == 3);
  CHECK_THAT(sent.err, Catch::Contains("refusing to talk to") && Catch::Contains("uid 65534"));
  const Output ping = run_todo(endpoint_in(directory), {"ping"});
  CHECK(ping.exit_code == 3);
  CHECK(ping.out.empty());
  CHECK(impostor.lists().empty());
}

TEST_CASE("a symbolic link another user put in the directory's place is refused", "[impostor]") {
  Scene scene;
  const auto attackers = scene.shared() / "attackers";
  Impostor impostor(scene, attackers);
  const auto link = scene.victim_socket_dir();
  REQUIRE(run_as_attacker("/bin/ln", {"-s", attackers.string(), link.string()}).exit_code == 0);

  const Output refused = start_victim_todod(scene, endpoint_in(link));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains(link.string() + " is a symbolic link"));

  const Output sent = run_todo(endpoint_in(link), kSecret);
  CHECK(sent.exit_code == 3);
  CHECK_THAT(sent.err, Catch::Contains("refusing to talk to") && Catch::Contains("symbolic link"));
  CHECK(impostor.lists().empty());
}

TEST_CASE("a socket of another user's in the victim's own directory is refused", "[impostor]") {
  Scene scene;
  const auto victims = scene.dir.path() / "victim-run";
  RunningDaemon victim(scene.victim_data(), endpoint_in(victims));
  Impostor impostor(scene, scene.shared() / "attackers");
  // The impostor's socket, swapped in for the victim's: it still reaches the
  // impostor, and it is still the attacker's.
  std::filesystem::rename(scene.shared() / "attackers" / "todod.sock", victims / "todod.sock");

  const Output sent = run_todo(endpoint_in(victims), kSecret);
  INFO(sent.err);
  CHECK(sent.exit_code == 3);
  CHECK_THAT(sent.err, Catch::Contains("the socket " + (victims / "todod.sock").string()) &&
                           Catch::Contains("uid 65534"));
  std::filesystem::rename(victims / "todod.sock", scene.shared() / "attackers" / "todod.sock");
  CHECK(impostor.lists().empty());
}

TEST_CASE("the attacker's own todod works for the attacker", "[impostor]") {
  // What the other cases rest on: the impostor really answers, so "nothing
  // sent" means todo refused, not that the impostor was deaf.
  Scene scene;
  Impostor impostor(scene, scene.shared() / "attackers");
  const Output added = run_as_attacker(
      testing::kTodoPath, {"--endpoint", impostor.endpoint(), "add", "mine", "today", "x"});
  CHECK(added.exit_code == 0);
  CHECK(impostor.lists() == "mine\n");
}

// A todod the victim (root here) shares with others on purpose, as the system
// service is shared with the todo group: a socket in a root-owned directory
// that everyone may connect to.
class SharedDaemon {
 public:
  explicit SharedDaemon(const Scene& scene, std::vector<std::string> extra = {})
      : daemon_(scene.victim_data(), endpoint_in(socket_dir(scene)), std::move(extra)) {
    ::chmod(socket_dir(scene).c_str(), 0755);
    ::chmod((socket_dir(scene) / "todod.sock").c_str(), 0777);
    endpoint_ = endpoint_in(socket_dir(scene));
  }

  const std::string& endpoint() const { return endpoint_; }
  RunningDaemon& daemon() { return daemon_; }

 private:
  static std::filesystem::path socket_dir(const Scene& scene) {
    return scene.dir.path() / "shared-run";
  }

  RunningDaemon daemon_;
  std::string endpoint_;
};

TEST_CASE("another user sharing a todod cannot make a list name pass for another's", "[impostor]") {
  Scene scene;
  SharedDaemon shared(scene);
  testing::run_todo_ok(shared.endpoint(), {"add", "bob", "2024-01-02", "the real one"});
  for (const std::string& lookalike : {std::string("bob\u200B"), std::string("\u202Ebob"),
                                       std::string("bob\uFEFF"), std::string("b\u2028ob")}) {
    const Output added = run_as_attacker(
        testing::kTodoPath, {"--endpoint", shared.endpoint(), "add", lookalike, "today", "x"});
    INFO(added.err);
    CHECK(added.exit_code == 1);
    CHECK_THAT(added.err, Catch::Contains("U+"));
  }
  // The same name in another normalization is the same list, not a new one.
  const Output decomposed = run_as_attacker(
      testing::kTodoPath,
      {"--endpoint", shared.endpoint(), "add", "cafe\xCC\x81", "today", "decomposed"});
  CHECK(decomposed.exit_code == 0);
  testing::run_todo_ok(shared.endpoint(), {"add", "caf\xC3\xA9", "today", "precomposed"});
  CHECK(testing::run_todo_ok(shared.endpoint(), {"lists"}) == "bob\ncaf\xC3\xA9\n");
}

TEST_CASE("another user reaches no list over tcp:// without an authorized CURVE key",
          "[impostor]") {
  Scene scene;
  const auto keys = scene.dir.path() / "keys";
  const auto allowed = keys / "allowed";
  std::filesystem::create_directories(allowed);
  REQUIRE(run_todo("ipc:///unused", {"keygen", (keys / "server.key").string()}).exit_code == 0);
  REQUIRE(run_todo("ipc:///unused", {"keygen", (keys / "victim.key").string()}).exit_code == 0);
  std::filesystem::copy_file(keys / "victim.key.pub", allowed / "victim.pub");
  // The attacker's own key pair, in a directory of theirs.
  const auto attackers = scene.shared() / "attacker-keys";
  REQUIRE(run_as_attacker("/bin/mkdir", {attackers.string()}).exit_code == 0);
  REQUIRE(
      run_as_attacker(testing::kTodoPath, {"keygen", (attackers / "a.key").string()}).exit_code ==
      0);

  SharedDaemon victim(scene, {"--listen", "tcp://127.0.0.1:*", "--curve-secret-key",
                              (keys / "server.key").string(), "--curve-allow", allowed.string()});
  const std::string log = victim.daemon().process().read_stderr_until(" serving ", kTimeout);
  std::smatch port;
  REQUIRE(std::regex_search(log, port, std::regex("tcp://127\\.0\\.0\\.1:[0-9]+")));
  const std::string tcp = port[0];
  testing::run_todo_ok(victim.endpoint(), {"add", "secret", "2024-01-02", "my bank PIN"});

  const std::string server_public = (keys / "server.key.pub").string();
  for (const std::vector<std::string>& attempt : std::vector<std::vector<std::string>>{
           {"--curve-key", (attackers / "a.key").string(), "--server-key", server_public},
           {"--insecure-tcp"},
           {}}) {
    std::vector<std::string> args = {"--endpoint", tcp, "--timeout", "3000"};
    args.insert(args.end(), attempt.begin(), attempt.end());
    for (const char* command : {"lists", "drop"}) {
      std::vector<std::string> full = args;
      full.push_back(command);
      if (std::string(command) == "drop") {
        full.push_back("secret");
        full.push_back("--yes");
      }
      const Output output = run_as_attacker(testing::kTodoPath, full);
      INFO(output.err);
      CHECK(output.exit_code != 0);
      CHECK(output.out.empty());
    }
  }
  CHECK(testing::run_todo_ok(victim.endpoint(), {"entries", "secret"}) ==
        "1 2024-01-02 [ ] my bank PIN\n");
}

TEST_CASE("a victim who is not root trusts only what is theirs", "[impostor]") {
  // The victim is a second unprivileged user: nothing here is trusted for
  // being root's.
  constexpr uid_t kVictimUid = 65533;
  const auto as_victim = [](const std::string& program, const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--reuid=" + std::to_string(kVictimUid),
                                     "--regid=" + std::to_string(kVictimUid), "--clear-groups",
                                     "--", program};
    full.insert(full.end(), args.begin(), args.end());
    return full;
  };
  Scene scene;
  const auto attackers = scene.shared() / "attackers";
  Impostor impostor(scene, attackers);
  const auto victims = scene.shared() / "victims";
  ChildProcess victim(kSetpriv, as_victim(testing::kTododPath,
                                          {"--data-dir", (scene.shared() / "victim-data").string(),
                                           "--listen", endpoint_in(victims)}));
  REQUIRE_THAT(victim.read_stderr_until(" serving ", kTimeout), Catch::Contains(" serving "));

  ChildProcess own(kSetpriv, as_victim(testing::kTodoPath, {"--endpoint", endpoint_in(victims),
                                                            "add", "mine", "today", "x"}));
  CHECK(own.finish("", kTimeout).exit_code == 0);
  ChildProcess lured(kSetpriv, as_victim(testing::kTodoPath, {"--endpoint", impostor.endpoint(),
                                                              "add", "secret", "today", "x"}));
  const Output sent = lured.finish("", kTimeout);
  CHECK(sent.exit_code == 3);
  CHECK_THAT(sent.err, Catch::Contains("uid 65534"));
  ChildProcess squatting(
      kSetpriv,
      as_victim(testing::kTododPath, {"--data-dir", (scene.shared() / "victim-data-2").string(),
                                      "--listen", endpoint_in(attackers)}));
  const Output refused = squatting.collect(kTimeout);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("refusing to listen"));
  CHECK(impostor.lists().empty());
  victim.signal(SIGTERM);
  CHECK(victim.wait_for_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("in an unprivileged user's namespace the directories above the socket are trusted",
          "[impostor]") {
  // There root's /tmp shows as owned by the overflow uid, as anyone's would:
  // todod must still be able to serve from a directory of its own under it.
  Scene scene;
  const auto mine = scene.shared() / "in-namespace";
  REQUIRE(run_as_attacker("/bin/mkdir", {"-m", "0700", mine.string()}).exit_code == 0);
  ChildProcess todod(kSetpriv,
                     as_attacker("/usr/bin/unshare",
                                 {"--user", "--map-root-user", testing::kTododPath, "--data-dir",
                                  (mine / "data").string(), "--listen", endpoint_in(mine)}));
  CHECK_THAT(todod.read_stderr_until(" serving ", kTimeout), Catch::Contains(" serving "));
  const Output ping =
      run_as_attacker(testing::kTodoPath, {"--endpoint", endpoint_in(mine), "ping"});
  CHECK(ping.exit_code == 0);
  todod.signal(SIGTERM);
  CHECK(todod.wait_for_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("a path another user keeps closed is reported, not a crash", "[impostor]") {
  Scene scene;
  const auto closed = scene.dir.path() / "closed";
  std::filesystem::create_directories(closed / "run");
  ::chmod(closed.c_str(), 0700);
  const Output output =
      run_as_attacker(testing::kTodoPath, {"--endpoint", endpoint_in(closed / "run"), "ping"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("Permission denied"));
}

TEST_CASE("an authorized key file another user owns does not count", "[impostor]") {
  Scene scene;
  const auto keys = scene.dir.path() / "keys";
  const auto allowed = keys / "allowed";
  std::filesystem::create_directories(allowed);
  for (const char* name : {"server", "client"}) {
    REQUIRE(run_todo("ipc:///unused", {"keygen", (keys / name).string() + ".key"}).exit_code == 0);
  }
  std::filesystem::copy_file(keys / "client.key.pub", allowed / "client.pub");
  REQUIRE(::chown((allowed / "client.pub").c_str(), kAttackerUid, kAttackerUid) == 0);
  testing::DaemonPlace place;
  RunningDaemon todod(
      place.data_dir(), "tcp://127.0.0.1:*",
      {"--curve-secret-key", (keys / "server.key").string(), "--curve-allow", allowed.string()});
  const std::string log = todod.process().read_stderr_until(" serving ", kTimeout);
  std::smatch port;
  REQUIRE(std::regex_search(log, port, std::regex("tcp://127\\.0\\.0\\.1:[0-9]+")));
  const auto ping = [&] {
    return run_todo(port[0], {"--curve-key", (keys / "client.key").string(), "--server-key",
                              (keys / "server.key.pub").string(), "--timeout", "3000", "ping"});
  };
  CHECK(ping().exit_code == 3);
  // A change to a file, not to the directory, is seen within a second.
  REQUIRE(::chown((allowed / "client.pub").c_str(), 0, 0) == 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ping().exit_code != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(ping().exit_code == 0);
}

TEST_CASE("a service's directory is trusted by those who trust the service's user", "[impostor]") {
  // As /run/todo is for the system unit: owned by the service's user, with
  // read access for its group (RuntimeDirectoryMode=0750).
  Scene scene;
  const auto run = scene.dir.path() / "run-todo";
  std::filesystem::create_directory(run);
  REQUIRE(::chown(run.c_str(), kAttackerUid, kAttackerUid) == 0);
  ::chmod(run.c_str(), 0750);
  const SocketTrust service_users{{kAttackerUid}};
  CHECK(check_trusted_directory(run, service_users));
  CHECK_FALSE(check_trusted_directory(run, SocketTrust::for_client()));
  // Writable by the group: any member could plant an impostor.
  ::chmod(run.c_str(), 0770);
  CHECK_FALSE(check_trusted_directory(run, service_users));
}

// Why the test cannot act as another user, or nothing when it can.
std::string reason_to_skip() {
  if (::geteuid() != 0) return "acting as a second user (setpriv) takes root";
  if (::access(kSetpriv, X_OK) != 0) return std::string(kSetpriv) + " is missing";
  const Output version = run_as_attacker(testing::kTododPath, {"--version"});
  if (version.exit_code != 0) {
    return "uid " + std::to_string(kAttackerUid) + " cannot run " + testing::kTododPath;
  }
  return {};
}

}  // namespace
}  // namespace todo

int main(int argc, char** argv) {
  // Listing the tests needs no second user.
  const bool is_listing = argc > 1 && std::string_view(argv[1]).starts_with("--list");
  if (!is_listing) {
    if (const std::string reason = todo::reason_to_skip(); !reason.empty()) {
      std::cout << "skipped: " << reason << "\n";
      return 77;
    }
  }
  return Catch::Session().run(argc, argv);
}
