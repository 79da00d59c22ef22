// todo undo end to end, against a real todod and RocksDB: what it prints for
// each kind of change, in text and JSON, in a batch, after a restart of todod,
// and when nothing is left to undo; without a list, across lists.
#include <catch2/catch.hpp>

#include "running_daemon.hpp"

namespace todo::testing {
namespace {

using Fixture = DaemonFixture;

TEST_CASE_METHOD(Fixture, "todo undo says what it reverted, change by change", "[cli][undo]") {
  REQUIRE(ok({"add", "home", "2026-12-04", "Paint", "+house"}) == "1\n");
  REQUIRE(ok({"add", "home", "2026-12-05", "Sweep"}) == "2\n");
  REQUIRE(ok({"update", "home", "1", "--title", "Paint the door"}) ==
          "1 2026-12-04 [ ] Paint the door +house\n");
  REQUIRE(ok({"done", "home", "2"}) == "2 2026-12-05 [x] Sweep\n");
  REQUIRE(ok({"delete", "home", "1"}) == "ok\n");
  REQUIRE(ok({"drop", "home", "--yes"}) == "ok\n");
  REQUIRE(ok({"lists"}).empty());

  CHECK(ok({"undo", "home"}) == "undid drop: 1 entry back\n");
  CHECK(ok({"lists"}) == "home\n");
  CHECK(ok({"undo", "home"}) == "undid delete: 1 2026-12-04 [ ] Paint the door +house\n");
  CHECK(ok({"undo", "home"}) == "undid update: 2 2026-12-05 [ ] Sweep\n");
  CHECK(ok({"--json", "undo", "home"}) ==
        R"({"undid":"update","entries":1,"entry":{"id":1,"date":"2026-12-04","title":"Paint",)"
        R"("done":false,"tags":["house"],"list":"home"}})"
        "\n");
  CHECK(ok({"entries", "home"}) == "1 2026-12-04 [ ] Paint +house\n2 2026-12-05 [ ] Sweep\n");
  CHECK(ok({"undo", "home"}) == "undid add: 2 2026-12-05 [ ] Sweep\n");
  CHECK(ok({"undo", "home"}) == "undid add: 1 2026-12-04 [ ] Paint +house\n");

  const Output nothing = todo({"undo", "home"});
  CHECK(nothing.exit_code == 1);
  CHECK(nothing.out.empty());
  CHECK(nothing.err == "todo: nothing to undo in list 'home': it keeps its last 100 changes\n");
  const Output nothing_json = todo({"undo", "home", "--json"});
  CHECK(nothing_json.exit_code == 1);
  CHECK(nothing_json.err ==
        R"({"error":{"code":"not_found","message":"nothing to undo in list 'home': it keeps )"
        R"(its last 100 changes"}})"
        "\n");
  CHECK(ok({"entries", "home"}).empty());
  CHECK(ok({"add", "home", "2026-12-06", "Next"}) == "3\n");
}

TEST_CASE_METHOD(Fixture, "undo in a batch, and after todod restarts", "[cli][undo]") {
  const Output batch = todo({"batch"}, "add t 2026-12-04 One\nadd t 2026-12-04 Two\nundo t\n");
  REQUIRE(batch.exit_code == 0);
  CHECK(batch.out == "1\n2\nundid add: 2 2026-12-04 [ ] Two\n");
  REQUIRE(ok({"done", "t", "1"}) == "1 2026-12-04 [x] One\n");
  daemon.reset();
  daemon.emplace(place.data_dir(), place.endpoint());
  CHECK(ok({"undo", "t"}) == "undid update: 1 2026-12-04 [ ] One\n");
  CHECK(ok({"undo", "t"}) == "undid add: 1 2026-12-04 [ ] One\n");
  CHECK(todo({"undo", "t"}).exit_code == 1);
}

TEST_CASE_METHOD(Fixture, "todo undo without a list reverts the last change of any list",
                 "[cli][undo]") {
  REQUIRE(ok({"add", "home", "2026-12-04", "Paint"}) == "1\n");
  REQUIRE(ok({"add", "work", "2026-12-05", "Report"}) == "1\n");
  REQUIRE(ok({"add", "my list", "2026-12-06", "Call"}) == "1\n");
  REQUIRE(ok({"done", "home", "1"}) == "1 2026-12-04 [x] Paint\n");
  REQUIRE(ok({"move", "work", "1", "home"}) == "2\n");

  CHECK(ok({"undo"}) == "undid move in 'work': 1 2026-12-05 [ ] Report\n");
  CHECK(ok({"entries", "work"}) == "1 2026-12-05 [ ] Report\n");
  CHECK(ok({"--json", "undo"}) ==
        R"({"undid":"update","entries":1,"list":"home","entry":{"id":1,"date":"2026-12-04",)"
        R"("title":"Paint","done":false,"tags":[],"list":"home"}})"
        "\n");
  daemon.reset();
  daemon.emplace(place.data_dir(), place.endpoint());
  CHECK(ok({"undo"}) == "undid add in 'my list': 1 2026-12-06 [ ] Call\n");
  const Output batch = todo({"batch", "--retry"}, "add t 2026-12-07 One\nundo\nundo\n");
  CHECK(batch.exit_code == 0);
  CHECK(batch.out ==
        "1\nundid add in 't': 1 2026-12-07 [ ] One\nundid add in 'work': 1 2026-12-05 [ ] "
        "Report\n");
  CHECK(ok({"undo"}) == "undid add in 'home': 1 2026-12-04 [ ] Paint\n");

  const Output nothing = todo({"undo"});
  CHECK(nothing.exit_code == 1);
  CHECK(nothing.err ==
        "todo: nothing to undo among the changes todod keeps in order (those of its last 128 "
        "writes at most): name a list to undo its own, todo undo LIST\n");
  CHECK(ok({"lists"}).empty());
}

TEST_CASE_METHOD(Fixture, "todo undo takes at most one list name and never an option as one",
                 "[cli][undo]") {
  const Output option = todo({"undo", "--yes"});
  CHECK(option.exit_code == 2);
  CHECK_THAT(option.err, Catch::Contains("--yes"));
  const Output extra = todo({"undo", "t", "3"});
  CHECK(extra.exit_code == 2);
  const Output help = todo({"undo", "t", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::StartsWith("usage: undo [LIST]"));
}

}  // namespace
}  // namespace todo::testing
