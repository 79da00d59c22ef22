// Tags end to end, against a real todod and RocksDB: +TAG words of todo add,
// update --tag/--untag, entries --tag (evaluated by the daemon), the text and
// JSON shown, a batch, export and import, and tags that outlive a restart.
#include <catch2/catch.hpp>

#include "running_daemon.hpp"

namespace todo::testing {
namespace {

using Fixture = DaemonFixture;

TEST_CASE_METHOD(Fixture, "todo add takes +TAG words out of the title as tags", "[cli][tags]") {
  CHECK(ok({"add", "t", "2026-12-04", "Write", "+work", "report", "+q4", "+work"}) == "1\n");
  CHECK(ok({"show", "t", "1"}) == "1 2026-12-04 [ ] Write report +q4 +work\n");
  CHECK(ok({"--json", "show", "t", "1"}) ==
        R"({"id":1,"date":"2026-12-04","title":"Write report","done":false,"tags":["q4","work"],)"
        R"("list":"t"})"
        "\n");
  // Words that only look like tags, and every word after --, stay title.
  CHECK(ok({"add", "t", "2026-12-04", "Pay", "+5", "C++", "+"}) == "2\n");
  CHECK(ok({"add", "t", "2026-12-04", "Keep", "--", "+literal"}) == "3\n");
  CHECK(ok({"entries", "t"}) ==
        "1 2026-12-04 [ ] Write report +q4 +work\n"
        "2 2026-12-04 [ ] Pay +5 C++ +\n"
        "3 2026-12-04 [ ] Keep +literal\n");
  // Tags alone are no title.
  const Output untitled = todo({"add", "t", "2026-12-04", "+work"});
  CHECK(untitled.exit_code == 2);
  CHECK(untitled.err ==
        "todo: add needs a TITLE besides its +TAGs; usage: add LIST [DATE] "
        "TITLE... [+TAG]... [--date D]\n");
  CHECK(ok({"entries", "t", "--tag", "work"}) == "1 2026-12-04 [ ] Write report +q4 +work\n");
}

TEST_CASE_METHOD(Fixture, "update --tag and --untag change the tags alone", "[cli][tags]") {
  REQUIRE(ok({"add", "t", "2026-12-04", "Call", "+home"}) == "1\n");
  CHECK(ok({"update", "t", "1", "--tag", "+urgent,phone", "--untag", "home"}) ==
        "1 2026-12-04 [ ] Call +phone +urgent\n");
  CHECK(ok({"update", "t", "1", "--untag", "absent"}) == "1 2026-12-04 [ ] Call +phone +urgent\n");
  const Output bad = todo({"update", "t", "1", "--title", "Changed", "--tag", "two words"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err == "todo: tag 'two words' contains a space at byte 3: a tag is one word\n");
  CHECK(ok({"show", "t", "1"}) == "1 2026-12-04 [ ] Call +phone +urgent\n");
}

TEST_CASE_METHOD(Fixture, "entries --tag keeps those that carry every tag named", "[cli][tags]") {
  REQUIRE(ok({"add", "t", "2026-12-04", "A", "+home", "+work"}) == "1\n");
  REQUIRE(ok({"add", "t", "2026-12-05", "B", "+work"}) == "2\n");
  REQUIRE(ok({"add", "t", "2026-12-06", "C"}) == "3\n");
  REQUIRE(ok({"done", "t", "2"}) == "2 2026-12-05 [x] B +work\n");
  CHECK(ok({"entries", "t", "--tag", "work"}) ==
        "1 2026-12-04 [ ] A +home +work\n2 2026-12-05 [x] B +work\n");
  CHECK(ok({"entries", "t", "--tag", "work", "--tag", "home"}) ==
        "1 2026-12-04 [ ] A +home +work\n");
  CHECK(ok({"entries", "t", "--tag", "+work,home"}) == "1 2026-12-04 [ ] A +home +work\n");
  CHECK(ok({"entries", "t", "--tag", "work", "--pending"}) == "1 2026-12-04 [ ] A +home +work\n");
  CHECK(ok({"entries", "t", "--tag", "Work"}).empty());
  CHECK(ok({"entries", "t", "--tag", "work", "--limit", "1"}) ==
        "1 2026-12-04 [ ] A +home +work\n");
}

TEST_CASE_METHOD(Fixture, "tags outlive a restart, an export and an import", "[cli][tags]") {
  const Output batch = todo({"batch"}, "add t 2026-12-04 Gym +health +me\nupdate t 1 --untag me\n");
  REQUIRE(batch.exit_code == 0);
  CHECK(batch.out == "1\n1 2026-12-04 [ ] Gym +health\n");
  daemon.reset();
  daemon.emplace(place.data_dir(), place.endpoint());
  CHECK(ok({"show", "t", "1"}) == "1 2026-12-04 [ ] Gym +health\n");
  const std::string exported = ok({"export"});
  CHECK(exported ==
        R"({"id":1,"date":"2026-12-04","title":"Gym","done":false,"tags":["health"],"list":"t"})"
        "\n");
  REQUIRE(ok({"drop", "t", "--yes"}) == "ok\n");
  REQUIRE(todo({"import"}, exported).exit_code == 0);
  CHECK(ok({"entries", "t", "--tag", "health"}) == "2 2026-12-04 [ ] Gym +health\n");
  const Output bad_import =
      todo({"import"}, R"({"list":"t","date":"2026-12-04","title":"x","tags":["a b"]})"
                       "\n");
  CHECK(bad_import.exit_code != 0);
  CHECK(bad_import.err.find("tag 'a b' contains a space") != std::string::npos);
}

}  // namespace
}  // namespace todo::testing
