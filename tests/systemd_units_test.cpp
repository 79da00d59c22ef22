// The systemd units as cmake --install ships them: systemd-analyze verify
// must accept them without a single complaint (it exits 0 even for unknown
// keys, so its output is checked too), and they keep the promises the README
// makes about the service. Verify runs `man` on each man: page of
// Documentation=, found through MANPATH in the build tree's man pages
// (man/CMakeLists.txt), so a page the units name and cmake does not ship fails.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The unit with ExecStart pointing at the todod just built, which verify
// requires to exist.
std::filesystem::path unit_for_verify(const testing::TempDir& dir, const std::string& unit_path) {
  std::string unit = read_file(unit_path);
  const std::string installed = TODO_INSTALLED_TODOD;
  for (auto at = unit.find(installed); at != std::string::npos; at = unit.find(installed)) {
    unit.replace(at, installed.size(), TODO_TODOD_PATH);
  }
  const auto path = dir.path() / "todod.service";
  std::ofstream(path) << unit;
  return path;
}

testing::Output verify(const std::vector<std::string>& args,
                       std::map<std::string, std::string> env = {}) {
  env["MANPATH"] = TODO_MAN_DIR;
  testing::ChildProcess analyze("/usr/bin/systemd-analyze", args, env);
  return analyze.collect(std::chrono::seconds(60));
}

TEST_CASE("the system unit verifies cleanly and is hardened", "[systemd]") {
  const std::string unit = read_file(TODO_SYSTEM_UNIT);
  for (const char* line :
       {"Type=notify", "User=todo", "Group=todo", "StateDirectory=todo", "RuntimeDirectory=todo",
        "RuntimeDirectoryMode=0750", "UMask=0007", "Restart=on-failure",
        "WatchdogSec=", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
        "PrivateTmp=yes", "PrivateDevices=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter=@system-service", "--listen=ipc:///run/todo/todod.sock",
        "ExecStart=" TODO_INSTALLED_TODOD, "Documentation=man:todod(8) man:todo(1)"}) {
    INFO(line);
    CHECK_THAT(unit, Catch::Contains(line));
  }
  testing::TempDir dir;
  const auto output = verify({"verify", unit_for_verify(dir, TODO_SYSTEM_UNIT).string()});
  INFO(output.err);
  CHECK(output.exit_code == 0);
  CHECK(output.err.empty());
}

TEST_CASE("the user unit verifies cleanly", "[systemd]") {
  const std::string unit = read_file(TODO_USER_UNIT);
  CHECK_THAT(unit, Catch::Contains("Type=notify"));
  CHECK_THAT(unit, Catch::Contains("WantedBy=default.target"));
  CHECK_THAT(unit, Catch::Contains("Documentation=man:todod(8) man:todo(1)"));
  testing::TempDir dir;
  std::filesystem::create_directory(dir.path() / "runtime");
  const auto output = verify({"verify", "--user", unit_for_verify(dir, TODO_USER_UNIT).string()},
                             {{"XDG_RUNTIME_DIR", (dir.path() / "runtime").string()}});
  INFO(output.err);
  CHECK(output.exit_code == 0);
  CHECK(output.err.empty());
}

}  // namespace
}  // namespace todo
