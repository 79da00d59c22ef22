// One byte flipped in a RocksDB table file, inside one list's entries: reads
// of that list fail, and once a compaction reads the block every write to
// every list fails, also after restarts. `todod --repair` must bring the
// directory back with every undamaged list intact, say what was lost, and
// never let an acknowledged id name another entry.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "data_files.hpp"
#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::count_of;
using testing::DaemonPlace;
using testing::Output;
using testing::run_todo;
using testing::run_todo_ok;
using testing::RunningDaemon;

std::filesystem::path only_table_file(const std::filesystem::path& data_dir) {
  return testing::only_file_with(data_dir, ".sst");
}

void flip_byte(const std::filesystem::path& file, std::size_t offset) {
  std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
  io.seekg(static_cast<std::streamoff>(offset));
  const char byte = static_cast<char>(io.get() ^ 0xff);
  io.seekp(static_cast<std::streamoff>(offset));
  io.put(byte);
}

Output repair(const DaemonPlace& place) {
  testing::ChildProcess todod(testing::kTododPath,
                              {"--repair", "--data-dir", place.data_dir().string()});
  return todod.collect(std::chrono::seconds(30));
}

std::size_t entry_count(const std::string& endpoint, const std::string& list) {
  return count_of(run_todo_ok(endpoint, {"entries", list}), "\n");
}

}  // namespace

TEST_CASE("a table file damaged in one list's entries: --repair keeps every other list",
          "[sst_damage]") {
  DaemonPlace place;
  {
    RunningDaemon todod(place.data_dir(), place.endpoint());
    std::ostringstream adds;
    adds << "add alpha 2026-12-02 alpha-one\n";
    for (int i = 0; i < 1000; ++i) adds << "add bravo 2026-12-02 bravo-" << i << "-padding\n";
    adds << "add charlie 2026-12-02 charlie-one\n";
    REQUIRE(run_todo(place.endpoint(), {"batch"}, adds.str()).exit_code == 0);
    REQUIRE(todod.stop() == 0);  // flushed: one table file
  }
  // bravo's entries are nearly all of the file, alpha's and charlie's at its ends.
  const std::filesystem::path table = only_table_file(place.data_dir());
  flip_byte(table, std::filesystem::file_size(table) / 2);

  // Each stop flushes another table file; at four, a compaction reads the
  // damaged block, and from then on every write fails.
  std::size_t alpha_acknowledged = 1;
  bool are_writes_refused = false;
  for (int start = 0; start < 8 && !are_writes_refused; ++start) {
    RunningDaemon todod(place.data_dir(), place.endpoint());
    CHECK_THAT(run_todo(place.endpoint(), {"entries", "bravo"}).err,
               Catch::Contains("Corruption") && Catch::Contains(".sst"));
    const Output added = run_todo(place.endpoint(), {"add", "alpha", "2026-12-02", "more"});
    if (added.exit_code == 0) {
      ++alpha_acknowledged;
    } else {
      CHECK_THAT(added.err, Catch::Contains("Corruption"));
      are_writes_refused = true;
      // The operator hears of it from ping, the damaged file named, and
      // from the log, once.
      CHECK_THAT(run_todo_ok(place.endpoint(), {"ping"}),
                 Catch::Contains("\ndegraded: the database damaged") && Catch::Contains(".sst") &&
                     Catch::Contains("todod --repair"));
      // Later changes are refused before they reach RocksDB (the list's
      // actor waits for writes to work again), and the log says nothing more.
      run_todo(place.endpoint(), {"add", "charlie", "2026-12-02", "more"});
      // All the log says in a second (no line holds the text waited for).
      const std::string log = todod.process().read_stderr_until("\x01", std::chrono::seconds(1));
      CHECK(count_of(log, "is damaged, and writes fail until it is repaired") == 1);
    }
    REQUIRE(todod.stop() == 0);
  }
  REQUIRE(are_writes_refused);

  const Output repaired = repair(place);
  INFO(repaired.out << repaired.err);
  REQUIRE(repaired.exit_code == 0);
  CHECK_THAT(repaired.out, Catch::Contains("damage: Corruption") &&
                               Catch::Contains("lost: every key after entry ") &&
                               Catch::Contains("of list 'bravo'") &&
                               Catch::Contains("the damaged files are kept in "));

  RunningDaemon todod(place.data_dir(), place.endpoint());
  CHECK(testing::ping_field_text(run_todo_ok(place.endpoint(), {"--json", "ping"}), "degraded") ==
        "");
  CHECK(entry_count(place.endpoint(), "alpha") == alpha_acknowledged);
  CHECK(entry_count(place.endpoint(), "charlie") == 1);
  const std::size_t bravo_kept = entry_count(place.endpoint(), "bravo");
  CHECK(bravo_kept > 900);
  CHECK(bravo_kept < 1000);
  // Writes work again, and no id comes back.
  CHECK(std::stoull(run_todo_ok(place.endpoint(), {"add", "bravo", "2026-12-02", "new"})) > 1000);
  CHECK(std::stoull(run_todo_ok(place.endpoint(), {"add", "alpha", "2026-12-02", "new"})) >
        alpha_acknowledged);
  CHECK(run_todo_ok(place.endpoint(), {"lists"}) == "alpha\nbravo\ncharlie\n");
  REQUIRE(todod.stop() == 0);

  // Nothing left to repair; what was kept aside stays.
  const Output again = repair(place);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("no damage found"));
  std::size_t kept_aside = 0;
  for (const auto& entry : std::filesystem::directory_iterator(place.data_dir())) {
    if (entry.path().filename().string().starts_with("damaged-")) ++kept_aside;
  }
  CHECK(kept_aside == 1);
}

TEST_CASE("repairing an undamaged directory changes nothing", "[sst_damage]") {
  DaemonPlace place;
  {
    RunningDaemon todod(place.data_dir(), place.endpoint());
    run_todo_ok(place.endpoint(), {"add", "home", "2026-12-02", "kept"});
    REQUIRE(todod.stop() == 0);
  }
  const Output repaired = repair(place);
  CHECK(repaired.exit_code == 0);
  CHECK_THAT(repaired.out, Catch::Contains("no damage found"));
  RunningDaemon todod(place.data_dir(), place.endpoint());
  CHECK(run_todo_ok(place.endpoint(), {"entries", "home"}) == "1 2026-12-02 [ ] kept\n");
  CHECK(run_todo_ok(place.endpoint(), {"add", "home", "2026-12-02", "next"}) == "2\n");
}

TEST_CASE("a --repair interrupted between moving the old files out and the new in is finished",
          "[sst_damage]") {
  DaemonPlace place;
  DaemonPlace other;
  for (const auto& [where, title] :
       {std::pair{&place, "before the repair"}, std::pair{&other, "as repaired"}}) {
    RunningDaemon todod(where->data_dir(), where->endpoint());
    run_todo_ok(where->endpoint(), {"add", "home", "2026-12-02", title});
    REQUIRE(todod.stop() == 0);
  }
  // As --repair leaves it when it stops after noting the swap: the repaired
  // copy beside the old files, which are still in place.
  std::filesystem::rename(other.data_dir(), place.data_dir() / "repair.new");
  std::filesystem::remove(place.data_dir() / "repair.new" / "todod.lock");
  std::ofstream(place.data_dir() / "repair.swap") << "out\ndamaged-20261202T000000Z\n";

  RunningDaemon todod(place.data_dir(), place.endpoint());
  CHECK(run_todo_ok(place.endpoint(), {"entries", "home"}) == "1 2026-12-02 [ ] as repaired\n");
  CHECK_FALSE(std::filesystem::exists(place.data_dir() / "repair.swap"));
  CHECK_FALSE(std::filesystem::exists(place.data_dir() / "repair.new"));
  CHECK(std::filesystem::exists(place.data_dir() / "damaged-20261202T000000Z" / "CURRENT"));
}

}  // namespace todo
