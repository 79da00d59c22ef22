// A data directory written by an older todod, served by this one: what it held
// reads back exactly, and new changes go on from where it stopped. The
// fixture, tests/data/todod-0.1.0-data-dir.tar.gz, was written by todod 0.1.0
// (layout version 2, entry format 1): lists "home" (an entry updated, one
// done, one deleted), "batch" (50 adds with idempotency keys), "café/ü 🛒",
// "keyed", and "work", dropped; a read-only token "phone" for "home". Its
// first part is in a table file (written, then flushed by a clean stop), the
// rest in a write-ahead log left by kill -9 (an update, an add, three keyed
// adds), so both the table and the log readers meet the old format.
//
// A change to the stored format must keep this test passing unchanged: add a
// fixture of the new format beside this one, never replace it.
#include <catch2/catch.hpp>
#include <sstream>

#include "running_daemon.hpp"

namespace todo::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = fs::path(TODO_SOURCE_DIR) / "tests/data/todod-0.1.0-data-dir.tar.gz";

// The fixture unpacked into dir/data.
fs::path unpack_fixture(const fs::path& dir) {
  const Output unpacked =
      ChildProcess("/usr/bin/tar", {"-xzf", kFixture.string(), "-C", dir.string()}).finish("");
  INFO(unpacked.err);
  REQUIRE(unpacked.exit_code == 0);
  return dir / "data";
}

std::string line(std::uint64_t id, const std::string& date, const std::string& title, bool done,
                 const std::string& list) {
  return R"({"id":)" + std::to_string(id) + R"(,"date":")" + date + R"(","title":")" + title +
         R"(","done":)" + (done ? "true" : "false") + R"(,"tags":[],"list":")" + list + "\"}\n";
}

// What todo export printed of the fixture when todod 0.1.0 served it, but
// for the tags, which format 1 has none of and todo 0.1.0 did not print.
std::string fixture_export() {
  std::string expected;
  for (int i = 1; i <= 50; ++i) {
    expected += line(i, "2026-12-24", "Entry " + std::to_string(i), false, "batch");
  }
  expected += line(1, "2027-01-01", "New year", false, "café/ü 🛒");
  expected += line(1, "2026-12-19", "Dentist at 9", false, "home");
  expected += line(2, "2026-12-20", "Buy milk", true, "home");
  expected += line(4, "2026-12-22", "After a restart", false, "home");
  for (int i = 1; i <= 3; ++i) {
    expected += line(i, "2026-12-25", "K" + std::to_string(i), false, "keyed");
  }
  return expected;
}

TEST_CASE("a data directory written by todod 0.1.0 serves what it held", "[upgrade]") {
  DaemonPlace place;
  const fs::path data = unpack_fixture(place.dir.path());
  RunningDaemon daemon(data, place.endpoint());
  CHECK(run_todo_ok(daemon.endpoint(), {"export"}) == fixture_export());
  CHECK(run_todo_ok(daemon.endpoint(), {"token", "list"}) ==
        "phone read-only lists 'home', last used never\n");
  CHECK(run_todo_ok(daemon.endpoint(), {"lists"}) == "batch\ncafé/ü 🛒\nhome\nkeyed\n");
}

TEST_CASE("changes to a todod 0.1.0 data directory go on from where it stopped", "[upgrade]") {
  DaemonPlace place;
  const fs::path data = unpack_fixture(place.dir.path());
  {
    RunningDaemon daemon(data, place.endpoint());
    // Entry 3 was deleted and work was dropped: neither id comes back.
    CHECK(run_todo_ok(daemon.endpoint(), {"add", "home", "2026-12-23", "Next"}) == "5\n");
    CHECK(run_todo_ok(daemon.endpoint(), {"add", "work", "2026-12-23", "Again"}) == "2\n");
    run_todo_ok(daemon.endpoint(), {"done", "keyed", "2"});
    REQUIRE(daemon.stop() == 0);
  }
  RunningDaemon again(data, place.endpoint());
  std::string expected = fixture_export();
  const std::string k2 = line(2, "2026-12-25", "K2", false, "keyed");
  expected.replace(expected.find(k2), k2.size(), line(2, "2026-12-25", "K2", true, "keyed"));
  const std::string after_restart = line(4, "2026-12-22", "After a restart", false, "home");
  expected.insert(expected.find(after_restart) + after_restart.size(),
                  line(5, "2026-12-23", "Next", false, "home"));
  expected += line(2, "2026-12-23", "Again", false, "work");
  CHECK(run_todo_ok(again.endpoint(), {"export"}) == expected);
}

}  // namespace
}  // namespace todo::testing
