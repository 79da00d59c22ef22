#include "daemon/database.hpp"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <set>

#include "common/codec.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "day.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

std::unique_ptr<Database> open_database(const std::filesystem::path& dir, std::size_t workers = 3) {
  auto database = Database::open({.data_dir = dir, .worker_count = workers});
  if (!database) FAIL(database.error().message);
  return std::move(database).value();
}

Result<void> write_and_wait(Database& database, const std::string& list,
                            std::vector<StorageMutation> mutations) {
  std::promise<Result<void>> done;
  auto outcome = done.get_future();
  database.write(list, ListWrite{std::move(mutations), [&done](Result<void> result) {
                                   done.set_value(std::move(result));
                                 }});
  return outcome.get();
}

std::vector<StorageMutation> add_entries(const std::string& list, std::vector<Entry> entries,
                                         EntryId next_id) {
  std::vector<StorageMutation> mutations;
  for (const Entry& entry : entries) {
    mutations.push_back({StorageMutation::Kind::put, StorageLayout::entry_key(list, entry.id),
                         encode_entry(entry)});
  }
  mutations.push_back({StorageMutation::Kind::put, StorageLayout::meta_key(list),
                       encode_list_meta({next_id, entries.size()})});
  return mutations;
}

using testing::day;

TEST_CASE("one list name always reaches the same worker", "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path(), 3);
  std::set<std::size_t> used;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = "list-" + std::to_string(i);
    const std::size_t worker = database->choose_worker(name);
    REQUIRE(worker < 3);
    REQUIRE(database->choose_worker(name) == worker);
    used.insert(worker);
  }
  // A hash that sent everything to one worker would make the pool pointless.
  CHECK(used.size() == 3);
  // Stable across runs and builds: FNV-1a, not std::hash.
  CHECK(database->choose_worker("bob") == 21748447695211092ull % 3);
}

TEST_CASE("an unknown list loads as empty", "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path());
  auto list = database->load_list("nobody");
  REQUIRE(list.ok());
  CHECK(list.value().size() == 0);
  CHECK(list.value().next_id() == 1);
  CHECK(list.value().name() == "nobody");
}

TEST_CASE("data survives closing and reopening the database", "[database]") {
  testing::TempDir dir;
  const std::vector<Entry> entries = {{1, day("2018-12-19"), "Dentist", false},
                                      {3, day("2018-12-20"), "Shopping", true}};
  {
    auto database = open_database(dir.path());
    REQUIRE(write_and_wait(*database, "alice", add_entries("alice", entries, 4)).ok());
  }
  auto database = open_database(dir.path());
  auto list = database->load_list("alice");
  REQUIRE(list.ok());
  CHECK(list.value().entries() == entries);
  CHECK(list.value().next_id() == 4);
  auto names = database->list_names("", 1000);
  REQUIRE(names.ok());
  CHECK(names.value() == std::vector<std::string>{"alice"});
}

TEST_CASE("a clean close leaves nothing in the write-ahead log to replay at the next open",
          "[database]") {
  testing::TempDir dir;
  {
    auto database = open_database(dir.path());
    for (int i = 0; i < 100; ++i) {
      const std::string list = "list-" + std::to_string(i);
      REQUIRE(write_and_wait(*database, list,
                             add_entries(list, {{1, day("2026-11-27"), "stored", false}}, 2))
                  .ok());
    }
  }
  // RocksDB's WAL files are *.log; a flushed close leaves them empty or gone.
  std::uintmax_t logged_bytes = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
    if (file.path().extension() == ".log") logged_bytes += file.file_size();
  }
  CHECK(logged_bytes == 0);
  auto database = open_database(dir.path());
  auto names = database->list_names("", 1000);
  REQUIRE(names.ok());
  CHECK(names.value().size() == 100);
}

TEST_CASE("list_names lists only lists that hold entries, sorted", "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path());
  REQUIRE(
      write_and_wait(*database, "zed", add_entries("zed", {{1, day("2020-01-01"), "z", false}}, 2))
          .ok());
  REQUIRE(
      write_and_wait(*database, "amy", add_entries("amy", {{1, day("2020-01-01"), "a", false}}, 2))
          .ok());
  // All entries deleted; the list remembers its next id but holds nothing.
  REQUIRE(write_and_wait(*database, "empty", add_entries("empty", {}, 5)).ok());
  auto names = database->list_names("", 1000);
  REQUIRE(names.ok());
  CHECK(names.value() == std::vector<std::string>{"amy", "zed"});
}

TEST_CASE("has_list answers for exactly the name stored, emptied and dropped lists too",
          "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path());
  REQUIRE(
      write_and_wait(*database, "bob", add_entries("bob", {{1, day("2020-01-01"), "b", false}}, 2))
          .ok());
  REQUIRE(write_and_wait(*database, "empty", add_entries("empty", {}, 5)).ok());
  // Entries without metadata: a corrupt list, but the list of that name.
  REQUIRE(write_and_wait(*database, "stray",
                         {{StorageMutation::Kind::put, StorageLayout::entry_key("stray", 1),
                           encode_entry({1, day("2020-01-01"), "s", false})}})
              .ok());
  const auto has = [&](const std::string& name) {
    auto stored = database->has_list(name);
    if (!stored) FAIL(stored.error().message);
    return stored.value();
  };
  CHECK(has("bob"));
  CHECK(has("empty"));
  CHECK(has("stray"));
  CHECK_FALSE(has("bo"));
  CHECK_FALSE(has("bobby"));
  CHECK_FALSE(has("Bob"));
  CHECK_FALSE(has("stra"));
  CHECK_FALSE(has("nobody"));

  auto stored = database->stored_list_names();
  REQUIRE(stored.ok());
  CHECK(stored.value() == std::vector<std::string>{"bob", "empty"});
  auto listed = database->list_names("", 1000);
  REQUIRE(listed.ok());
  CHECK(listed.value() == std::vector<std::string>{"bob"});
}

TEST_CASE("writes of many lists through few workers are grouped into fewer batches", "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path(), 2);
  constexpr int kWrites = 2000;
  std::vector<std::promise<Result<void>>> done(kWrites);
  for (int i = 0; i < kWrites; ++i) {
    const std::string list = "l" + std::to_string(i);
    database->write(list,
                    ListWrite{add_entries(list, {{1, day("2021-05-05"), "x", false}}, 2),
                              [&done, i](Result<void> r) { done[i].set_value(std::move(r)); }});
  }
  for (auto& d : done) REQUIRE(d.get_future().get().ok());
  CHECK(database->write_count() == kWrites);
  // With 2000 writes queued at once, each fsync must cover many of them.
  CHECK(database->batch_count() < kWrites / 4);
  auto names = database->list_names("", kWrites);
  REQUIRE(names.ok());
  CHECK(names.value().size() == kWrites);
}

TEST_CASE("a second open of a held data directory is refused naming the path", "[database]") {
  testing::TempDir dir;
  auto first = open_database(dir.path());
  auto second = Database::open({.data_dir = dir.path()});
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.error().message, Catch::Contains(dir.path().string()));
  CHECK_THAT(second.error().message, Catch::Contains("in use"));
}

TEST_CASE("a missing data directory is created, nested", "[database]") {
  testing::TempDir dir;
  const auto nested = dir.path() / "a" / "b" / "todo";
  auto database = open_database(nested);
  CHECK(std::filesystem::is_directory(nested));
  const auto perms = std::filesystem::status(nested).permissions();
  CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
}

TEST_CASE("a data directory that is a file is reported with its path", "[database]") {
  testing::TempDir dir;
  const auto file = dir.path() / "not-a-dir";
  std::ofstream(file) << "x";
  auto database = Database::open({.data_dir = file});
  REQUIRE_FALSE(database.ok());
  CHECK_THAT(database.error().message, Catch::Contains(file.string()));
}

TEST_CASE("a corrupt database is reported with its path, not a crash", "[database]") {
  testing::TempDir dir;
  { auto database = open_database(dir.path()); }
  for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
    if (file.path().filename().string().starts_with("CURRENT")) {
      std::ofstream(file.path(), std::ios::trunc) << "garbage-manifest-name\n";
    }
  }
  auto database = Database::open({.data_dir = dir.path()});
  REQUIRE_FALSE(database.ok());
  CHECK_THAT(database.error().message, Catch::Contains(dir.path().string()));
}

TEST_CASE("a list's next id comes from its last entry when its metadata is older", "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path());
  // Metadata as the first add wrote it; two more adds wrote only their entries.
  auto mutations = add_entries("erin", {{1, day("2020-05-05"), "one", false}}, 2);
  for (EntryId id : {2, 3}) {
    mutations.push_back({StorageMutation::Kind::put, StorageLayout::entry_key("erin", id),
                         encode_entry({id, day("2020-05-05"), "more", false})});
  }
  REQUIRE(write_and_wait(*database, "erin", mutations).ok());
  auto list = database->load_list("erin");
  REQUIRE(list.ok());
  CHECK(list.value().size() == 3);
  CHECK(list.value().next_id() == 4);
}

TEST_CASE("metadata that says a list is empty while entries are stored is corrupt", "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path());
  auto mutations = add_entries("fay", {}, 3);
  mutations.push_back({StorageMutation::Kind::put, StorageLayout::entry_key("fay", 2),
                       encode_entry({2, day("2020-05-05"), "stray", false})});
  REQUIRE(write_and_wait(*database, "fay", mutations).ok());
  auto list = database->load_list("fay");
  REQUIRE_FALSE(list.ok());
  CHECK_THAT(list.error().message, Catch::Contains("'fay'") && Catch::Contains("corrupt"));
}

TEST_CASE("a data directory of layout 1 is read and marked 2", "[database]") {
  testing::TempDir dir;
  {
    auto database = open_database(dir.path());
    auto mutations = add_entries("gus", {{1, day("2020-06-06"), "kept", false}}, 2);
    mutations.push_back({StorageMutation::Kind::put, std::string(StorageLayout::kFormatKey), "1"});
    REQUIRE(write_and_wait(*database, "gus", mutations).ok());
  }
  {
    auto database = open_database(dir.path());
    auto list = database->load_list("gus");
    REQUIRE(list.ok());
    CHECK(list.value().size() == 1);
  }
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly({}, dir.path().string(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string marker;
  REQUIRE(db->Get({}, std::string(StorageLayout::kFormatKey), &marker).ok());
  CHECK(marker == "2");
}

TEST_CASE("a data directory written by a newer format is refused", "[database]") {
  testing::TempDir dir;
  {
    auto database = open_database(dir.path());
    REQUIRE(
        write_and_wait(*database, "x",
                       {{StorageMutation::Kind::put, std::string(StorageLayout::kFormatKey), "99"}})
            .ok());
  }
  auto database = Database::open({.data_dir = dir.path()});
  REQUIRE_FALSE(database.ok());
  CHECK_THAT(database.error().message, Catch::Contains("newer"));
}

TEST_CASE("a stored list whose bytes are corrupt loads as an error naming it", "[database]") {
  testing::TempDir dir;
  auto database = open_database(dir.path());
  auto mutations = add_entries("bob", {{1, day("2020-02-02"), "fine", false}}, 2);
  mutations.push_back(
      {StorageMutation::Kind::put, StorageLayout::entry_key("bob", 2), "\x01\x02garbage"});
  REQUIRE(write_and_wait(*database, "bob", mutations).ok());
  auto list = database->load_list("bob");
  REQUIRE_FALSE(list.ok());
  CHECK_THAT(list.error().message, Catch::Contains("'bob'"));
  CHECK_THAT(list.error().message, Catch::Contains("corrupt"));
  // Other lists are untouched.
  CHECK(database->load_list("bobby").ok());
}

}  // namespace
}  // namespace todo
