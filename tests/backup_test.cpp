// todo backup and todod --restore-backup, on the real binaries: a backup made
// while todod serves, restored into a fresh data directory, serves the lists
// and tokens of its moment, and a restore never mixes with data already there.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "running_daemon.hpp"

namespace todo::testing {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  return status.st_mode & 07777;
}

// todod --restore-backup with the given arguments.
Output restore(const fs::path& backup_dir, const fs::path& data_dir,
               std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--restore-backup", backup_dir.string(), "--data-dir",
                                   data_dir.string()};
  args.insert(args.end(), more.begin(), more.end());
  return ChildProcess(kTododPath, args).finish("", std::chrono::seconds(60));
}

// What `todo export` and `todo token list` say of a data directory, served
// by a todod of its own.
std::string contents_of(const fs::path& data_dir, const std::string& endpoint) {
  RunningDaemon daemon(data_dir, endpoint);
  const std::string contents =
      run_todo_ok(endpoint, {"export"}) + "--\n" + run_todo_ok(endpoint, {"token", "list"});
  REQUIRE(daemon.stop() == 0);
  return contents;
}

struct Fixture {
  DaemonPlace place;
  fs::path backups() const { return place.dir.path() / "backups"; }
  fs::path restored(const std::string& name) const { return place.dir.path() / name; }
  std::string restored_endpoint() const {
    return "ipc://" + (place.dir.path() / "restored.sock").string();
  }
};

TEST_CASE_METHOD(Fixture, "a backup made while todod serves restores its lists and tokens",
                 "[backup]") {
  std::string first;
  std::string second;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    const std::string& endpoint = daemon.endpoint();
    run_todo_ok(endpoint, {"add", "home", "2026-12-19", "Dentist"});
    run_todo_ok(endpoint, {"add", "work", "2026-12-20", "Write report"});
    run_todo_ok(endpoint, {"done", "work", "1"});
    run_todo_ok(endpoint, {"token", "add", "phone", "--lists", "home", "--read-only"});
    first = run_todo_ok(endpoint, {"export"}) + "--\n" + run_todo_ok(endpoint, {"token", "list"});

    const std::string made = run_todo_ok(endpoint, {"backup", backups().string()});
    CHECK_THAT(made, Catch::StartsWith("backup 1 made: "));
    CHECK_THAT(made, Catch::Contains("the directory keeps 1 backup"));
    CHECK(mode_of(backups()) == 0700);

    // Changes after the first backup are in the second only.
    run_todo_ok(endpoint, {"add", "home", "2026-12-21", "Call the plumber"});
    run_todo_ok(endpoint, {"drop", "work", "--yes"});
    run_todo_ok(endpoint, {"token", "revoke", "phone"});
    second = run_todo_ok(endpoint, {"export"}) + "--\n" + run_todo_ok(endpoint, {"token", "list"});
    const std::string json = run_todo_ok(endpoint, {"--json", "backup", backups().string()});
    CHECK_THAT(json, Catch::StartsWith(R"({"id":2,"bytes":)"));
    CHECK_THAT(json, Catch::EndsWith(R"("backups_kept":2})"
                                     "\n"));
    REQUIRE(daemon.stop() == 0);
  }
  REQUIRE(first != second);
  CHECK_THAT(first, Catch::Contains("phone read-only lists 'home'"));

  const Output newest = restore(backups(), restored("newest"));
  INFO(newest.err);
  REQUIRE(newest.exit_code == 0);
  CHECK_THAT(newest.err, Catch::Contains("restored backup 2 of " + backups().string()));
  CHECK(mode_of(restored("newest")) == 0700);
  CHECK_FALSE(fs::exists(restored("newest.restoring")));
  CHECK(contents_of(restored("newest"), restored_endpoint()) == second);

  const Output older = restore(backups(), restored("older"), {"--backup-id", "1"});
  INFO(older.err);
  REQUIRE(older.exit_code == 0);
  CHECK_THAT(older.err, Catch::Contains("with its access tokens"));
  CHECK(contents_of(restored("older"), restored_endpoint()) == first);
}

TEST_CASE_METHOD(Fixture, "a backup taken during adds holds a whole prefix of them", "[backup]") {
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  // The first thousand are acknowledged before the backup starts; the rest
  // race it.
  std::string first_thousand;
  std::string racing_adds;
  for (int i = 1; i <= 3000; ++i) {
    (i <= 1000 ? first_thousand : racing_adds) +=
        "add busy 2026-12-19 entry " + std::to_string(i) + "\n";
  }
  REQUIRE(acknowledged_adds(run_todo(daemon.endpoint(), {"batch"}, first_thousand).out) == 1000);
  Output racing;
  std::thread adder([&] { racing = run_todo(daemon.endpoint(), {"batch"}, racing_adds); });
  const Output made = run_todo(daemon.endpoint(), {"backup", backups().string(), "--keep", "1"});
  adder.join();
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  CHECK(acknowledged_adds(racing.out) == 2000);
  REQUIRE(daemon.stop() == 0);

  REQUIRE(restore(backups(), restored("restored")).exit_code == 0);
  RunningDaemon served(restored("restored"), restored_endpoint());
  std::istringstream lines(run_todo_ok(served.endpoint(), {"entries", "busy"}));
  std::uint64_t expected_id = 1;
  for (std::string line; std::getline(lines, line); ++expected_id) {
    // "ID 2026-12-19 [ ] entry ID", the id padded: ids from 1 with no gap,
    // each its own title.
    std::istringstream words(line);
    std::uint64_t id = 0;
    std::string date;
    std::string title;
    words >> id >> date;
    std::getline(words, title);
    REQUIRE(id == expected_id);
    REQUIRE(date == "2026-12-19");
    REQUIRE(title == " [ ] entry " + std::to_string(expected_id));
  }
  CHECK(expected_id - 1 >= 1000);
  CHECK(expected_id - 1 <= 3000);
}

TEST_CASE_METHOD(Fixture, "keep deletes all but the newest backups", "[backup]") {
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  run_todo_ok(daemon.endpoint(), {"add", "home", "Dentist"});
  for (int i = 0; i < 3; ++i) run_todo_ok(daemon.endpoint(), {"backup", backups().string()});
  CHECK_THAT(run_todo_ok(daemon.endpoint(), {"backup", backups().string(), "--keep", "2"}),
             Catch::Contains("backup 4 made: ") && Catch::Contains("keeps 2 backups"));
  REQUIRE(daemon.stop() == 0);
  CHECK_THAT(restore(backups(), restored("r1"), {"--backup-id", "2"}).err,
             Catch::Contains("no backup 2 in " + backups().string()));
  CHECK(restore(backups(), restored("r3"), {"--backup-id", "3"}).exit_code == 0);
}

TEST_CASE_METHOD(Fixture, "a backup is refused where others could read it or inside the data",
                 "[backup]") {
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  run_todo_ok(daemon.endpoint(), {"add", "home", "Dentist"});

  const fs::path open_to_all = place.dir.path() / "shared";
  fs::create_directory(open_to_all);
  fs::permissions(open_to_all, fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec);
  const Output shared = run_todo(daemon.endpoint(), {"backup", open_to_all.string()});
  CHECK(shared.exit_code == 1);
  CHECK_THAT(shared.err, Catch::Contains("may be entered by other users (mode 0755)") &&
                             Catch::Contains("chmod 700"));
  CHECK(fs::is_empty(open_to_all));

  // The engine deletes what no backup names in its folders: a directory that
  // holds anything else is not one to write backups in.
  const fs::path in_use = place.dir.path() / "in-use";
  fs::create_directories(in_use / "private" / "2023");
  fs::permissions(place.dir.path() / "in-use", fs::perms::owner_all);
  std::ofstream(in_use / "private" / "2023" / "1") << "mine";
  const Output used = run_todo(daemon.endpoint(), {"backup", in_use.string()});
  CHECK(used.exit_code == 1);
  CHECK_THAT(used.err, Catch::Contains("holds files that are not todod's backups"));
  CHECK(fs::exists(in_use / "private" / "2023" / "1"));
  CHECK_FALSE(fs::exists(in_use / "TODO-BACKUPS"));

  const Output inside =
      run_todo(daemon.endpoint(), {"backup", (place.data_dir() / "backups").string()});
  CHECK(inside.exit_code == 1);
  CHECK_THAT(inside.err, Catch::Contains("must be apart from the data directory"));
  CHECK_FALSE(fs::exists(place.data_dir() / "backups"));

  const Output no_parent =
      run_todo(daemon.endpoint(), {"backup", (place.dir.path() / "a" / "b").string()});
  CHECK(no_parent.exit_code == 1);
  CHECK_THAT(no_parent.err, Catch::Contains("cannot create backup directory"));

  // What was stored is untouched by the refusals, and todod serves on.
  CHECK(run_todo_ok(daemon.endpoint(), {"entries", "home"}).ends_with(" [ ] Dentist\n"));
}

TEST_CASE_METHOD(Fixture, "a restore never mixes with lists already in the data directory",
                 "[backup]") {
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    run_todo_ok(daemon.endpoint(), {"add", "home", "Dentist"});
    run_todo_ok(daemon.endpoint(), {"backup", backups().string()});
    REQUIRE(daemon.stop() == 0);
  }
  const fs::path occupied = restored("occupied");
  fs::create_directory(occupied);
  std::ofstream(occupied / "keep-me") << "mine";
  const Output refused = restore(backups(), occupied);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("holds files already"));
  std::ifstream kept(occupied / "keep-me");
  CHECK(std::string(std::istreambuf_iterator<char>(kept), {}) == "mine");
  CHECK_FALSE(fs::exists(restored("occupied.restoring")));

  // An empty directory is taken, as a missing one is, named with a slash at
  // its end or not.
  fs::create_directory(restored("empty"));
  CHECK(restore(backups(), restored("empty")).exit_code == 0);
  const Output slashed = restore(backups(), restored("slashed").string() + "/");
  INFO(slashed.err);
  CHECK(slashed.exit_code == 0);
  CHECK(fs::exists(restored("slashed") / "CURRENT"));

  CHECK_THAT(restore(place.dir.path() / "nowhere", restored("x")).err,
             Catch::Contains("no backup directory at "));
  CHECK_THAT(restore(backups(), restored("y"), {"--backup-id", "9"}).err,
             Catch::Contains("no backup 9 in "));
  CHECK_FALSE(fs::exists(restored("x")));
  CHECK_FALSE(fs::exists(restored("y")));
}

}  // namespace
}  // namespace todo::testing
