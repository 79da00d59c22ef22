// Socket paths todod refuses to listen on and todo refuses to talk through,
// as any user can set them up: a directory others can write to, a symbolic
// link, a directory under one that is writable and not sticky, an abstract
// socket. impostor_test.cpp has the attacks that take a second user.
#include "common/socket_trust.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::DaemonPlace;
using testing::Output;
using testing::run_todo;
using testing::RunningDaemon;

Output start_todod(const DaemonPlace& place, const std::string& endpoint) {
  testing::ChildProcess todod(testing::kTododPath,
                              {"--data-dir", place.data_dir().string(), "--listen", endpoint});
  return todod.collect(std::chrono::seconds(10));
}

std::string endpoint_in(const std::filesystem::path& directory) {
  return "ipc://" + (directory / "todod.sock").string();
}

TEST_CASE("todod refuses a socket directory others can write to", "[socket]") {
  DaemonPlace place;
  const auto shared = place.dir.path() / "shared";
  std::filesystem::create_directory(shared);
  for (const mode_t mode : {0777, 0773, 0770}) {
    ::chmod(shared.c_str(), mode);
    const Output output = start_todod(place, endpoint_in(shared));
    INFO(output.err);
    CHECK(output.exit_code == 1);
    CHECK_THAT(output.err, Catch::Contains("refusing to listen") &&
                               Catch::Contains(shared.string()) &&
                               Catch::Contains("others could replace what is in it"));
    CHECK_FALSE(std::filesystem::exists(shared / "todod.sock"));
  }
  ::chmod(shared.c_str(), 0700);
  RunningDaemon daemon(place.data_dir(), endpoint_in(shared));
  CHECK(testing::run_todo_ok(endpoint_in(shared), {"ping"}).find("todod") == 0);
}

TEST_CASE("the message names the directory's owner and mode", "[socket]") {
  DaemonPlace place;
  const auto shared = place.dir.path() / "shared";
  std::filesystem::create_directory(shared);
  ::chmod(shared.c_str(), 0777);
  const Output output = start_todod(place, endpoint_in(shared));
  CHECK_THAT(output.err, Catch::Contains("owned by uid " + std::to_string(::geteuid())) &&
                             Catch::Contains("mode 0777"));
}

TEST_CASE("todod and todo refuse a symbolic link as the socket directory", "[socket]") {
  DaemonPlace place;
  const auto real = place.dir.path() / "real";
  std::filesystem::create_directory(real);
  ::chmod(real.c_str(), 0700);
  const auto link = place.dir.path() / "link";
  std::filesystem::create_directory_symlink(real, link);

  const Output refused = start_todod(place, endpoint_in(link));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains(link.string() + " is a symbolic link"));

  RunningDaemon daemon(place.data_dir(), endpoint_in(real));
  const Output output = run_todo(endpoint_in(link), {"add", "bob", "today", "x"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("refusing to talk to") &&
                             Catch::Contains(link.string() + " is a symbolic link"));
  CHECK(testing::run_todo_ok(endpoint_in(real), {"lists"}).empty());
}

TEST_CASE("a socket directory under a directory others can rename it in is refused", "[socket]") {
  DaemonPlace place;
  const auto open_parent = place.dir.path() / "open";
  const auto directory = open_parent / "todo";
  std::filesystem::create_directories(directory);
  ::chmod(directory.c_str(), 0700);
  ::chmod(open_parent.c_str(), 0777);
  const Output refused = start_todod(place, endpoint_in(directory));
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains(open_parent.string()) && Catch::Contains("not sticky"));

  // Sticky, as /tmp is: only the directory's owner can rename it.
  ::chmod(open_parent.c_str(), 01777);
  RunningDaemon daemon(place.data_dir(), endpoint_in(directory));
  CHECK(testing::run_todo_ok(endpoint_in(directory), {"ping"}).find("todod") == 0);

  ::chmod(open_parent.c_str(), 0777);
  const Output output = run_todo(endpoint_in(directory), {"ping"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("refusing to talk to") && Catch::Contains("not sticky"));
  ::chmod(open_parent.c_str(), 0700);
}

TEST_CASE("a socket path through '..' is refused: the directory it passes is unchecked",
          "[socket]") {
  DaemonPlace place;
  const auto directory = place.dir.path() / "run";
  std::filesystem::create_directories(directory / "sub");
  const std::string endpoint = "ipc://" + (directory / "sub" / ".." / "todod.sock").string();
  const Output refused = start_todod(place, endpoint);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("holds '..'"));
  RunningDaemon daemon(place.data_dir(), endpoint_in(directory));
  const Output output = run_todo(endpoint, {"ping"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("holds '..'"));
}

TEST_CASE("transports other than ipc:// and tcp:// are refused", "[socket]") {
  DaemonPlace place;
  const Output refused = start_todod(place, "tipc://{5560,0,0}");
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("serves ipc://PATH and tcp://ADDRESS:PORT only"));
  CHECK_FALSE(std::filesystem::exists(place.data_dir()));
  const Output output = run_todo("inproc://todod", {"ping"});
  CHECK(output.exit_code == 2);
  CHECK_THAT(output.err, Catch::Contains("bad endpoint 'inproc://todod'"));
}

TEST_CASE("todod creates a missing socket directory for its owner only", "[socket]") {
  DaemonPlace place;
  const auto directory = place.dir.path() / "run" / "user" / "todo";
  RunningDaemon daemon(place.data_dir(), endpoint_in(directory));
  for (const auto& made :
       {directory, directory.parent_path(), directory.parent_path().parent_path()}) {
    struct stat file {};
    REQUIRE(::stat(made.c_str(), &file) == 0);
    CHECK((file.st_mode & 077) == 0);
  }
}

TEST_CASE("abstract sockets, which have no owner, are refused", "[socket]") {
  DaemonPlace place;
  const Output refused = start_todod(place, "ipc://@todo-test-abstract");
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("abstract socket"));
  const Output output = run_todo("ipc://@todo-test-abstract", {"ping"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("abstract socket"));
}

TEST_CASE("a file that is not a socket is not talked to", "[socket]") {
  testing::TempDir dir;
  const auto path = dir.path() / "todod.sock";
  { std::ofstream(path) << "not a socket"; }
  const Output output = run_todo("ipc://" + path.string(), {"ping"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("is not a socket"));
}

TEST_CASE("the trust rules on their own", "[socket]") {
  testing::TempDir dir;
  const SocketTrust trust = SocketTrust::for_daemon();
  CHECK(check_trusted_directory(dir.path(), trust));
  CHECK_FALSE(check_trusted_directory(dir.path() / "missing", trust));
  CHECK(check_socket_file(dir.path() / "missing.sock", trust).error().code ==
        StatusCode::not_found);
}

}  // namespace
}  // namespace todo
