// A write-ahead log damaged before its end (a byte flipped in the middle, as
// a failing medium does it) after acknowledged adds in --sync mode: todod must
// refuse to start rather than give up what follows the damage; told to accept
// the loss, it must never hand an acknowledged id to another entry. A record
// cut short at the end, as a crash mid-write leaves it, is still tolerated.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "data_files.hpp"
#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::DaemonPlace;
using testing::Output;
using testing::RunningDaemon;

// The one write-ahead log in the data directory that holds anything.
std::filesystem::path only_log(const std::filesystem::path& data_dir) {
  return testing::only_file_with(data_dir, ".log");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Every file of the data directory and its bytes.
std::map<std::string, std::string> snapshot(const std::filesystem::path& data_dir) {
  std::map<std::string, std::string> files;
  for (const auto& file : std::filesystem::directory_iterator(data_dir)) {
    files[file.path().filename().string()] = read_file(file.path());
  }
  return files;
}

// count acknowledged adds to list, in one batch; the highest id answered.
std::uint64_t add_acknowledged(const std::string& endpoint, const std::string& list, int count) {
  std::ostringstream batch;
  for (int i = 0; i < count; ++i)
    batch << "add " << list << " 2026-12-02 " << list << "-" << i << "\n";
  const Output output = testing::run_todo(endpoint, {"batch"}, batch.str());
  REQUIRE(output.exit_code == 0);
  REQUIRE(testing::acknowledged_adds(output.out) == static_cast<std::size_t>(count));
  return std::stoull(output.out.substr(output.out.rfind('\n', output.out.size() - 2) + 1));
}

std::uint64_t add_one(const std::string& endpoint, const std::string& list) {
  return std::stoull(testing::run_todo_ok(endpoint, {"add", list, "2026-12-02", "after"}));
}

std::size_t entry_count(const std::string& endpoint, const std::string& list) {
  return testing::count_of(testing::run_todo_ok(endpoint, {"entries", list}), "2026-12-02");
}

Output start_todod(const DaemonPlace& place, std::vector<std::string> extra_args) {
  std::vector<std::string> args = {"--data-dir", place.data_dir().string(), "--listen",
                                   place.endpoint()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  testing::ChildProcess todod(testing::kTododPath, args);
  return todod.collect(std::chrono::seconds(20));
}

}  // namespace

TEST_CASE("a log damaged before its end stops todod, and an accepted loss reissues no id",
          "[wal_damage]") {
  DaemonPlace place;
  {
    RunningDaemon todod(place.data_dir(), place.endpoint(), {"--sync"});
    // In rounds: one round's adds may be written as one record.
    for (int round = 1; round <= 10; ++round) {
      REQUIRE(add_acknowledged(place.endpoint(), "first", 100) == round * 100u);
    }
    // All of this list is written after the damage below.
    REQUIRE(add_acknowledged(place.endpoint(), "second", 1000) == 1000);
    todod.kill_hard();
  }
  const std::filesystem::path log = only_log(place.data_dir());
  std::string bytes = read_file(log);
  // Two fifths in: inside the first list's part, and past the first 32 KiB
  // block, so that an offset of the block's start or of 0 fails the check below.
  const std::size_t damaged_at = bytes.size() * 2 / 5;
  REQUIRE(damaged_at > 32768);
  bytes[damaged_at] = static_cast<char>(bytes[damaged_at] ^ 0xff);
  write_file(log, bytes);
  const auto before = snapshot(place.data_dir());

  SECTION("refused, naming the log and where it is damaged, and nothing changed") {
    const Output refused = start_todod(place, {});
    CHECK(refused.exit_code == 1);
    INFO(refused.err);
    CHECK_THAT(refused.err,
               Catch::Contains("the write-ahead log " + log.string() + " is damaged at byte ") &&
                   Catch::Contains("--accept-wal-loss"));
    CHECK(refused.err.find(" serving ") == std::string::npos);
    // Where the last record before the damage ends, within one 32 KiB block.
    const std::string at = refused.err.substr(refused.err.find(" at byte ") + 9);
    const std::size_t offset = std::stoull(at);
    CHECK(offset <= damaged_at);
    CHECK(damaged_at - offset < 32768);
    CHECK(snapshot(place.data_dir()) == before);
  }

  SECTION(
      "--accept-wal-loss keeps what precedes the damage; ids go on past every acknowledged one") {
    RunningDaemon todod(place.data_dir(), place.endpoint(), {"--accept-wal-loss"});
    const std::size_t kept = entry_count(place.endpoint(), "first");
    CHECK(kept > 0);
    CHECK(kept < 1000);
    CHECK(entry_count(place.endpoint(), "second") == 0);
    CHECK(add_one(place.endpoint(), "first") > 1000);
    // A list that only the lost part held does not start again from 1.
    CHECK(add_one(place.endpoint(), "second") > 1000);
    CHECK(add_one(place.endpoint(), "never-seen") > 1000);
    // Above the floor or not, a read of a name never written leaves no list in memory.
    for (const std::string ghost : {"ghost-1", "ghost-2"}) entry_count(place.endpoint(), ghost);
    CHECK(testing::ping_field(testing::run_todo_ok(place.endpoint(), {"--json", "ping"}),
                              "lists_in_memory") == 3);
    REQUIRE(todod.stop() == 0);

    // The loss was settled once: a plain restart serves, and ids stay above.
    RunningDaemon restarted(place.data_dir(), place.endpoint());
    CHECK(entry_count(place.endpoint(), "first") == kept + 1);
    CHECK(add_one(place.endpoint(), "second") > 1001);
    CHECK(add_one(place.endpoint(), "third") > 1000);
  }
}

TEST_CASE("a record cut short at the end of the log is tolerated", "[wal_damage]") {
  DaemonPlace place;
  {
    RunningDaemon todod(place.data_dir(), place.endpoint(), {"--sync"});
    add_acknowledged(place.endpoint(), "list", 100);
    add_one(place.endpoint(), "list");
    todod.kill_hard();
  }
  const std::filesystem::path log = only_log(place.data_dir());
  std::filesystem::resize_file(log, std::filesystem::file_size(log) - 3);

  RunningDaemon todod(place.data_dir(), place.endpoint());
  CHECK(entry_count(place.endpoint(), "list") == 100);
}

TEST_CASE("a log whose replay ends early without an error is refused too", "[wal_damage]") {
  DaemonPlace place;
  {
    RunningDaemon todod(place.data_dir(), place.endpoint(), {"--sync"});
    REQUIRE(add_acknowledged(place.endpoint(), "list", 100) == 100);
    todod.kill_hard();
  }
  // One bit of the first record's type: Full (1) reads as a recycled log's
  // (5), which RocksDB takes for the end of the log, silently.
  const std::filesystem::path log = only_log(place.data_dir());
  std::string bytes = read_file(log);
  REQUIRE(bytes[6] == 1);
  bytes[6] = 5;
  write_file(log, bytes);
  const auto before = snapshot(place.data_dir());

  const Output refused = start_todod(place, {});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains(log.string() + " is damaged at byte 0") &&
                              Catch::Contains("without an error"));
  CHECK(snapshot(place.data_dir()) == before);
}

}  // namespace todo
