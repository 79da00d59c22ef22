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

TEST_CASE("a service's directory is trusted by those who trust the service's user", "[impostor]") {
  // As /run/todo is for the system unit: owned by the service's user, group
  // access for its group (RuntimeDirectoryMode=0750, UMask=0007).
  Scene scene;
  const auto run = scene.dir.path() / "run-todo";
  std::filesystem::create_directory(run);
  REQUIRE(::chown(run.c_str(), kAttackerUid, kAttackerUid) == 0);
  ::chmod(run.c_str(), 0750);
  const SocketTrust service_users{{kAttackerUid}, std::nullopt};
  CHECK(check_socket_directory(run, service_users));
  CHECK_FALSE(check_socket_directory(run, SocketTrust::for_client()));

  ::chmod(run.c_str(), 0770);
  CHECK_FALSE(check_socket_directory(run, service_users));
  CHECK(check_socket_directory(run, SocketTrust{{kAttackerUid}, kAttackerUid}));
  ::chmod(run.c_str(), 0772);
  CHECK_FALSE(check_socket_directory(run, SocketTrust{{kAttackerUid}, kAttackerUid}));
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
