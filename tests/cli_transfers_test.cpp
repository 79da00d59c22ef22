// todo rename and todo move end to end, against a real todod and RocksDB:
// what they print in text and JSON, what they refuse and with which exit
// code, undoing a move, and todod killed with -9 while a batch renames and
// moves: after the restart every entry is in exactly one list, every
// acknowledged transfer is there, and no transfer is there by half.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "running_daemon.hpp"

namespace todo::testing {
namespace {

using namespace std::chrono_literals;

using Fixture = DaemonFixture;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

TEST_CASE_METHOD(Fixture, "todo rename and todo move, and undo of a move", "[cli][transfer]") {
  REQUIRE(ok({"add", "home", "2026-12-04", "Paint", "+house"}) == "1\n");
  REQUIRE(ok({"add", "home", "2026-12-05", "Sweep"}) == "2\n");
  REQUIRE(ok({"add", "work", "2026-12-05", "Report"}) == "1\n");

  CHECK(ok({"move", "home", "1", "work"}) == "2\n");
  CHECK(ok({"entries", "work"}) == "1 2026-12-05 [ ] Report\n2 2026-12-04 [ ] Paint +house\n");
  CHECK(ok({"--json", "move", "home", "2", "work"}) == "{\"id\":3}\n");
  CHECK(ok({"undo", "work"}) == "undid move: 2 2026-12-05 [ ] Sweep\n");
  CHECK(ok({"entries", "home"}) == "2 2026-12-05 [ ] Sweep\n");

  CHECK(ok({"rename", "work", "job"}) == "ok\n");
  CHECK(ok({"lists"}) == "home\njob\n");
  CHECK(ok({"--json", "rename", "job", "office"}) == "{\"ok\":true}\n");
  CHECK(ok({"entries", "office"}) == "1 2026-12-05 [ ] Report\n2 2026-12-04 [ ] Paint +house\n");
  // The journal went with the list: this undo reverts the move of Paint.
  CHECK(ok({"undo", "office"}) == "undid move: 1 2026-12-04 [ ] Paint +house\n");
  CHECK(ok({"entries", "home"}) == "1 2026-12-04 [ ] Paint +house\n2 2026-12-05 [ ] Sweep\n");

  const Output onto = todo({"rename", "home", "office"});
  CHECK(onto.exit_code == 1);
  CHECK(onto.err ==
        "todo: list 'office' already holds 1 entry: a rename onto a list with entries is "
        "refused\n");
  const Output used = todo({"rename", "office", "work"});
  CHECK(used.exit_code == 1);
  CHECK(used.err ==
        "todo: list 'work' held entries before (its ids went up to 3), and a rename onto it "
        "would give those ids again: rename to a name no list has used\n");
  const Output missing = todo({"move", "home", "9", "office"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "todo: no entry 9 in list 'home'\n");
  const Output nothing = todo({"--json", "rename", "nobody", "somebody"});
  CHECK(nothing.exit_code == 1);
  CHECK(nothing.err == R"({"error":{"code":"not_found","message":"list 'nobody' holds no entries: )"
                       R"(nothing to rename"}})"
                       "\n");
  CHECK(ok({"entries", "home"}) == "1 2026-12-04 [ ] Paint +house\n2 2026-12-05 [ ] Sweep\n");
  CHECK(ok({"entries", "office"}) == "1 2026-12-05 [ ] Report\n");
}

TEST_CASE_METHOD(Fixture, "todo rename and move take list names, never options, as lists",
                 "[cli][transfer]") {
  REQUIRE(ok({"add", "home", "2026-12-04", "Paint"}) == "1\n");
  const Output option = todo({"rename", "home", "--yes"});
  CHECK(option.exit_code == 2);
  CHECK(option.err ==
        "todo: '--yes' is an option, not a list name (to name a list that starts with '-', put "
        "-- before it; try 'todo help rename')\n");
  const Output few = todo({"move", "home", "1"});
  CHECK(few.exit_code == 2);
  CHECK(few.err == "todo: usage: move LIST ID NEWLIST\n");
  const Output bad_id = todo({"move", "home", "one", "work"});
  CHECK(bad_id.exit_code == 2);
  const Output help = todo({"rename", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.starts_with("usage: rename LIST NEWNAME"));
  CHECK(ok({"entries", "home"}) == "1 2026-12-04 [ ] Paint\n");

  CHECK(ok({"rename", "home", "--", "-old"}) == "ok\n");
  CHECK(ok({"entries", "--", "-old"}) == "1 2026-12-04 [ ] Paint\n");
}

TEST_CASE_METHOD(Fixture,
                 "todod killed during renames and moves keeps each one whole or not at all",
                 "[cli][transfer][crash]") {
  // Enough that 40 renames take about a second on this machine's two
  // cores: the kill below falls among them.
  constexpr int kEntries = 2000;
  std::string adds;
  for (int i = 1; i <= kEntries; ++i) adds += "add a 2026-12-07 entry" + std::to_string(i) + "\n";
  REQUIRE(todo({"batch"}, adds).exit_code == 0);
  // Renames along a chain of names no list used (a, r1, r2, ...) carry
  // every entry each time; the moves take entries one by one from m.
  std::string moves;
  for (int i = 1; i <= 40; ++i) moves += "add m 2026-12-07 moved" + std::to_string(i) + "\n";
  REQUIRE(todo({"batch"}, moves).exit_code == 0);
  std::string transfers;
  for (int i = 1; i <= 40; ++i) {
    transfers += "rename " + (i == 1 ? std::string("a") : "r" + std::to_string(i - 1)) + " r" +
                 std::to_string(i) + "\n";
    transfers += "move m " + std::to_string(i) + " n\n";
  }

  const auto served = [&] { return ping_field(ok({"--json", "ping"}), "requests_served"); };
  const std::uint64_t served_before = served();
  ChildProcess batch(kTodoPath, {"--endpoint", place.endpoint(), "batch"});
  batch.send_input(transfers);
  // Killed once about ten transfers are answered (each ping counts one
  // request too), however fast this machine runs them.
  for (std::uint64_t pings = 1; served() < served_before + 10 + pings; ++pings) {
    std::this_thread::sleep_for(5ms);
  }
  daemon->kill_hard();
  // todo prints a line for each transfer: its answer ("ok", a move's new
  // id), or the error that came instead.
  std::vector<std::string> answered;
  std::string unanswered;
  for (const std::string& line : lines_of(batch.collect(30s).out)) {
    if (line == "ok" ||
        (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos)) {
      answered.push_back(line);
    } else if (unanswered.empty()) {
      unanswered = line;
    }
  }
  daemon->start();
  INFO(answered.size() << " of 80 transfers answered before the kill; then " << unanswered);
  // A kill after the last answer would test nothing.
  CHECK(answered.size() < 80);

  // One name of the chain holds every entry, and the rest none; no earlier
  // one than the last rename answered.
  std::size_t renames_answered = 0;
  for (const std::string& line : answered) renames_answered += line == "ok" ? 1 : 0;
  std::vector<std::string> all;
  for (int i = 0; i <= 40; ++i) {
    const std::string name = i == 0 ? "a" : "r" + std::to_string(i);
    std::vector<std::string> held = lines_of(ok({"entries", name}));
    if (held.empty()) continue;
    INFO(name << " holds " << held.size() << " entries, and another list " << all.size());
    CHECK(all.empty());
    CHECK(static_cast<std::size_t>(i) >= renames_answered);
    all = std::move(held);
  }
  CHECK(all.size() == kEntries);
  // Each with its id: "ID DATE [ ] TITLE", the ids padded to the widest.
  int unlike = 0;
  for (int i = 1; i <= static_cast<int>(all.size()); ++i) {
    std::istringstream line(all[i - 1]);
    std::string id, date, box, title;
    line >> id >> date >> box >> box >> title;
    if (id != std::to_string(i) || title != "entry" + std::to_string(i)) ++unlike;
  }
  CHECK(unlike == 0);

  std::set<std::string> titles;
  std::size_t total = 0;
  for (const char* list : {"m", "n"}) {
    for (const std::string& line : lines_of(ok({"entries", list}))) {
      titles.insert(line.substr(line.rfind(' ') + 1));
      ++total;
    }
  }
  CHECK(total == 40);
  CHECK(titles.size() == 40);
  // Each answered move's entry is in n: its answer is its new id there.
  const std::vector<std::string> n = lines_of(ok({"entries", "n"}));
  std::size_t moves_answered = 0;
  for (const std::string& line : answered) moves_answered += line == "ok" ? 0 : 1;
  CHECK(n.size() >= moves_answered);
  CHECK(moves_answered > 0);
}

}  // namespace
}  // namespace todo::testing
