// List names that could pass for another, against the real todod and todo:
// a name that differs only in its Unicode normalization reaches the one list,
// a name with an invisible character or a bidirectional control is refused
// and creates nothing, lists stored before the rule keep working under the
// names they were stored under, and `todod --check` finds them.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/system.hpp"
#include "running_daemon.hpp"
#include "server_calls.hpp"

namespace todo {
namespace {

using testing::DaemonPlace;
using testing::Output;
using testing::run_todo;
using testing::run_todo_ok;
using testing::RunningDaemon;

const std::string kCafeNfc = "caf\xC3\xA9";   // U+00E9
const std::string kCafeNfd = "cafe\xCC\x81";  // e, U+0301 COMBINING ACUTE ACCENT
const std::string kBobZeroWidthSpace = "bob\u200B";

// The names of the issue that look like another, and the code point and byte
// that todod must name in refusing each.
struct Impersonator {
  std::string name;
  std::string refusal;
};
const std::vector<Impersonator> kImpersonators = {
    {kBobZeroWidthSpace, "invisible character U+200B at byte 3"},
    {"\u202E"
     "evil",
     "bidirectional control U+202E at byte 0"},
    {"a\u2028b", "line separator U+2028 at byte 1"},
    {"bob\uFEFF", "invisible character U+FEFF at byte 3"},
};

// Stores an entry in each list the way a todod from before the rule did:
// through the real Cache, Server and Database, which take any name that
// passes validate_list_name; only the front door applies the canonical form.
void store_before_the_rule(const std::filesystem::path& data_dir,
                           const std::vector<std::string>& names) {
  auto started = System::start({.database = {.data_dir = data_dir}, .thread_count = 1});
  if (!started) FAIL(started.error().message);
  for (const std::string& name : names) {
    testing::add(*started.value()->cache().server_process(name), "2018-12-19", "Dentist");
  }
  REQUIRE(started.value()->shutdown());
}

Output check_names(const std::filesystem::path& data_dir) {
  testing::ChildProcess check(testing::kTododPath, {"--check", "--data-dir", data_dir.string()});
  return check.collect(std::chrono::seconds(30));
}

TEST_CASE("a name typed decomposed reaches the list stored precomposed", "[names]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  const std::string endpoint = place.endpoint();

  CHECK(run_todo_ok(endpoint, {"add", kCafeNfd, "2018-12-19", "Dentist"}) == "1\n");
  CHECK(run_todo_ok(endpoint, {"entries", kCafeNfc}) == "1 2018-12-19 [ ] Dentist\n");
  CHECK(run_todo_ok(endpoint, {"add", kCafeNfc, "2018-12-20", "Gym"}) == "2\n");
  CHECK(run_todo_ok(endpoint, {"entries", kCafeNfd}) ==
        "1 2018-12-19 [ ] Dentist\n2 2018-12-20 [ ] Gym\n");
  CHECK(run_todo_ok(endpoint, {"lists"}) == kCafeNfc + "\n");
}

TEST_CASE("a name with an invisible character is refused, naming it, and creates nothing",
          "[names]") {
  DaemonPlace place;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    const std::string endpoint = place.endpoint();
    REQUIRE(run_todo_ok(endpoint, {"add", "bob", "2018-12-19", "Gym"}) == "1\n");

    for (const Impersonator& impersonator : kImpersonators) {
      INFO("list name " << impersonator.refusal);
      const Output added = run_todo(endpoint, {"add", impersonator.name, "2018-12-19", "Evil"});
      CHECK(added.exit_code == 1);
      CHECK(added.out.empty());
      CHECK(added.err == "todo: list name contains " + impersonator.refusal + "\n");
      const Output read = run_todo(endpoint, {"entries", impersonator.name});
      CHECK(read.exit_code == 1);
      CHECK_THAT(read.err, Catch::Contains(impersonator.refusal));
      CHECK(run_todo(endpoint, {"drop", impersonator.name, "--yes"}).exit_code == 1);
    }
    CHECK(run_todo_ok(endpoint, {"lists"}) == "bob\n");
    CHECK(run_todo_ok(endpoint, {"entries", "bob"}) == "1 2018-12-19 [ ] Gym\n");
    REQUIRE(daemon.stop() == 0);
  }
  // Not even an empty list's metadata: nothing is stored under any of them.
  auto database = Database::open({.data_dir = place.data_dir()});
  if (!database) FAIL(database.error().message);
  auto stored = database.value()->stored_list_names();
  REQUIRE(stored.ok());
  CHECK(stored.value() == std::vector<std::string>{"bob"});
}

TEST_CASE("lists stored before the rule keep working under the names they were stored under",
          "[names]") {
  DaemonPlace place;
  store_before_the_rule(place.data_dir(), {kCafeNfd, kBobZeroWidthSpace});
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  const std::string endpoint = place.endpoint();

  CHECK(run_todo_ok(endpoint, {"entries", kBobZeroWidthSpace}) == "1 2018-12-19 [ ] Dentist\n");
  CHECK(run_todo_ok(endpoint, {"add", kBobZeroWidthSpace, "2018-12-20", "Gym"}) == "2\n");
  CHECK(run_todo_ok(endpoint, {"entries", kBobZeroWidthSpace}) ==
        "1 2018-12-19 [ ] Dentist\n2 2018-12-20 [ ] Gym\n");
  CHECK(run_todo_ok(endpoint, {"entries", kCafeNfd}) == "1 2018-12-19 [ ] Dentist\n");
  CHECK(run_todo_ok(endpoint, {"add", kCafeNfd, "2018-12-20", "Gym"}) == "2\n");
  CHECK(run_todo_ok(endpoint, {"done", kCafeNfd, "1"}) == "1 2018-12-19 [x] Dentist\n");

  SECTION("the canonical names are other lists") {
    CHECK(run_todo_ok(endpoint, {"entries", kCafeNfc}).empty());
    CHECK(run_todo_ok(endpoint, {"entries", "bob"}).empty());
  }
  SECTION("another invisible character is refused: only the stored name is served") {
    const Output added = run_todo(endpoint, {"add", "bob\u200C", "2018-12-19", "Evil"});
    CHECK(added.exit_code == 1);
    CHECK(added.err == "todo: list name contains invisible character U+200C at byte 3\n");
  }
  SECTION("both are listed under their stored names") {
    CHECK(run_todo_ok(endpoint, {"lists"}) == kBobZeroWidthSpace + "\n" + kCafeNfd + "\n");
  }
}

TEST_CASE("todod --check reports each stored name that is not canonical, and exits 1", "[names]") {
  DaemonPlace place;
  const std::string dropped = "A\xCC\x88";  // A, U+0308 COMBINING DIAERESIS
  store_before_the_rule(place.data_dir(), {kCafeNfd, kBobZeroWidthSpace, dropped});
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    const std::string endpoint = place.endpoint();
    REQUIRE(run_todo_ok(endpoint, {"add", kCafeNfc, "2018-12-19", "Gym"}) == "1\n");
    REQUIRE(run_todo_ok(endpoint, {"add", "alice", "2018-12-19", "Gym"}) == "1\n");
    // Dropped, it still holds its next id, and still catches its name.
    REQUIRE(run_todo_ok(endpoint, {"drop", dropped, "--yes"}) == "ok\n");

    SECTION("not while todod holds the data directory") {
      const Output check = check_names(place.data_dir());
      CHECK(check.exit_code == 1);
      CHECK(check.out.empty());
      CHECK_THAT(check.err, Catch::StartsWith("todod: cannot check list names: ") &&
                                Catch::Contains(place.data_dir().string()) &&
                                Catch::Contains("stop that todod first"));
    }
    REQUIRE(daemon.stop() == 0);
  }
  const Output check = check_names(place.data_dir());
  CHECK(check.exit_code == 1);
  // The invisible character is named, not printed.
  CHECK(check.out == "'" + dropped + "': not in Unicode NFC; in NFC it is '\xC3\x84'\n'" +
                         "bob<U+200B>" +
                         "': list name contains invisible character U+200B at byte 3\n'" +
                         kCafeNfd + "': not in Unicode NFC; in NFC it is '" + kCafeNfc +
                         "', which is another stored list\n");
  CHECK(check.err == "todod: checked 5 list names in " + place.data_dir().string() +
                         ": 3 not canonical; todod serves each under the name it is stored "
                         "under\n");
}

TEST_CASE("todod --check exits 0 when every stored name is canonical", "[names]") {
  DaemonPlace place;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    const std::string endpoint = place.endpoint();
    // Typed decomposed, stored precomposed.
    for (const std::string& name : {kCafeNfd, std::string("Eink\u00E4ufe"),
                                    std::string("\U0001F6D2"), std::string("work/2024")}) {
      REQUIRE(run_todo_ok(endpoint, {"add", name, "2018-12-19", "Gym"}) == "1\n");
    }
    REQUIRE(daemon.stop() == 0);
  }
  const Output check = check_names(place.data_dir());
  CHECK(check.exit_code == 0);
  CHECK(check.out.empty());
  CHECK(check.err ==
        "todod: checked 4 list names in " + place.data_dir().string() + ": all canonical\n");
}

TEST_CASE("todod --check refuses a data directory that does not exist, creating nothing",
          "[names]") {
  DaemonPlace place;
  const Output check = check_names(place.data_dir());
  CHECK(check.exit_code == 1);
  CHECK(check.err == "todod: no data directory at " + place.data_dir().string() + " to check\n");
  CHECK_FALSE(std::filesystem::exists(place.data_dir()));
}

}  // namespace
}  // namespace todo
