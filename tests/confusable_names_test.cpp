// List names that could pass for another, against the real todod and todo:
// a name that differs only in its Unicode normalization reaches the one list,
// a name with an invisible character or a bidirectional control is refused
// and creates nothing, and lists stored before the rule keep working under
// the names they were stored under.
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
      CHECK(run_todo(endpoint, {"drop", impersonator.name}).exit_code == 1);
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

}  // namespace
}  // namespace todo
