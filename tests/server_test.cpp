#include "daemon/server.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <set>
#include <thread>

#include "daemon/cache.hpp"
#include "daemon/system.hpp"
#include "daemon/system_counters.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using testing::add;
using testing::call;
using testing::day;
using testing::entries;
using testing::entries_read;

std::unique_ptr<System> start_system(const std::filesystem::path& dir,
                                     Durability durability = Durability::sync) {
  auto system =
      System::start({.database = {.data_dir = dir, .worker_count = 3, .durability = durability},
                     .thread_count = 2});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

std::vector<std::string> titles(const std::vector<Entry>& list) {
  std::vector<std::string> result;
  for (const Entry& entry : list) result.push_back(entry.title);
  return result;
}

TEST_CASE("add then read", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto alice = system->cache().server_process("alice");

  CHECK(add(*alice, "2018-12-19", "Dentist") == 1);
  CHECK(add(*alice, "2018-12-20", "Shopping") == 2);
  CHECK(add(*alice, "2018-12-19", "Movies") == 3);
  CHECK(titles(entries(*alice, day("2018-12-19"))) ==
        std::vector<std::string>{"Dentist", "Movies"});
  CHECK(titles(entries(*alice, day("2018-12-20"))) == std::vector<std::string>{"Shopping"});
  CHECK(entries(*alice, day("2018-12-21")).empty());
  CHECK(entries(*alice).size() == 3);
}

TEST_CASE("a read after any change shows it, though the list was read just before", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto alice = system->cache().server_process("alice");
  add(*alice, "2018-12-19", "Dentist");
  CHECK(titles(entries(*alice)) == std::vector<std::string>{"Dentist"});
  CHECK(titles(entries(*alice)) == std::vector<std::string>{"Dentist"});

  add(*alice, "2018-12-20", "Shopping");
  CHECK(titles(entries(*alice)) == std::vector<std::string>{"Dentist", "Shopping"});

  EntryChange rename;
  rename.title = "Dentist at 9";
  REQUIRE(call(*alice, UpdateEntry{1, rename}).ok());
  CHECK(titles(entries(*alice)) == std::vector<std::string>{"Dentist at 9", "Shopping"});

  REQUIRE(call(*alice, DeleteEntry{2}).ok());
  CHECK(titles(entries(*alice)) == std::vector<std::string>{"Dentist at 9"});

  // A change that fails leaves the list, and what a read shows, as it was.
  CHECK_FALSE(call(*alice, DeleteEntry{7}).ok());
  CHECK(titles(entries(*alice)) == std::vector<std::string>{"Dentist at 9"});

  REQUIRE(call(*alice, DropList{}).ok());
  CHECK(entries(*alice).empty());
}

TEST_CASE("a drop says when the list held nothing, and then writes nothing", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto list = system->cache().server_process("alice");
  const std::uint64_t batches = system->database().batch_count();

  const ListResult never_used = call(*list, DropList{});
  REQUIRE(never_used.ok());
  CHECK(std::holds_alternative<NothingToDrop>(never_used.value()));
  CHECK(system->database().batch_count() == batches);

  add(*list, "2018-12-19", "Dentist");
  const ListResult holding = call(*list, DropList{});
  REQUIRE(holding.ok());
  CHECK(std::holds_alternative<std::monostate>(holding.value()));
  CHECK(std::holds_alternative<NothingToDrop>(call(*list, DropList{}).value()));
  CHECK(add(*list, "2018-12-20", "Shopping") == 2);
}

TEST_CASE("reads between changes of one group each see the list as of their place", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto alice = system->cache().server_process("alice");
  add(*alice, "2018-12-19", "Dentist");
  // Sent without waiting, so that they are handled together as far as the
  // actor takes them together; in order either way.
  constexpr int kRounds = 50;
  std::vector<std::promise<ListResult>> reads(kRounds);
  std::vector<std::promise<ListResult>> adds(kRounds);
  for (int i = 0; i < kRounds; ++i) {
    REQUIRE(
        alice->send(GetEntries{}, [&reads, i](ListResult r) { reads[i].set_value(std::move(r)); }));
    REQUIRE(alice->send(AddEntry{day("2018-12-20"), "Round " + std::to_string(i)},
                        [&adds, i](ListResult r) { adds[i].set_value(std::move(r)); }));
  }
  for (int i = 0; i < kRounds; ++i) {
    INFO("round " << i);
    const std::vector<Entry> seen = entries_read(reads[i].get_future().get());
    REQUIRE(seen.size() == static_cast<std::size_t>(i) + 1);
    CHECK(seen.back().title == (i == 0 ? "Dentist" : "Round " + std::to_string(i - 1)));
    REQUIRE(adds[i].get_future().get().ok());
  }
  CHECK(entries(*alice).size() == kRounds + 1);
  // Some groups held several adds, and so the reads sent between them: one
  // write per group, each an fsync long, while the messages came in microseconds.
  CHECK(system->database().write_count() < 1 + kRounds);
}

TEST_CASE("a request is counted as served, and no longer in progress, before its answer is given",
          "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  // A client that has its answer and then asks for the figures must find it
  // counted, and with --max-requests-in-progress 1 its next request must not
  // be refused busy for the one just answered.
  std::promise<std::pair<std::uint64_t, std::int64_t>> counts_when_answered;
  system->cache().send("counted", AddEntry{day("2026-11-27"), "milk"}, [&](ListResult) {
    counts_when_answered.set_value({system->counters().requests_served.load(),
                                    system->counters().requests_in_progress.load()});
  });
  const auto [served, in_progress] = counts_when_answered.get_future().get();
  CHECK(served == 1);
  CHECK(in_progress == 0);
}

TEST_CASE("lists are independent", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto alice = system->cache().server_process("alice");
  auto bob = system->cache().server_process("bob");
  add(*alice, "2018-12-19", "Dentist");
  CHECK(entries(*bob).empty());
  CHECK(add(*bob, "2018-12-19", "Gym") == 1);
  CHECK(titles(entries(*alice)) == std::vector<std::string>{"Dentist"});
}

TEST_CASE("update, done, delete and their errors", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  add(*bob, "2018-12-19", "Dentist");
  add(*bob, "2018-12-20", "Shopping");

  auto updated = call(*bob, UpdateEntry{2, {.date = day("2018-12-22"), .title = "Groceries"}});
  REQUIRE(updated.ok());
  CHECK(std::get<Entry>(updated.value()) == Entry{2, day("2018-12-22"), "Groceries", false});
  auto done = call(*bob, UpdateEntry{2, {.done = true}});
  REQUIRE(done.ok());
  CHECK(std::get<Entry>(done.value()).done);

  auto missing = call(*bob, UpdateEntry{7, {.done = true}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == StatusCode::not_found);
  CHECK(missing.error().message == "no entry 7 in list 'bob'");

  auto bad_title = call(*bob, UpdateEntry{2, {.title = std::string("a\nb")}});
  REQUIRE_FALSE(bad_title.ok());
  CHECK(bad_title.error().code == StatusCode::invalid_argument);

  REQUIRE(call(*bob, DeleteEntry{2}).ok());
  auto deleted_again = call(*bob, DeleteEntry{2});
  REQUIRE_FALSE(deleted_again.ok());
  CHECK(deleted_again.error().code == StatusCode::not_found);
  CHECK(add(*bob, "2018-12-23", "Cinema") == 3);  // ids are never reused
  CHECK(titles(entries(*bob)) == std::vector<std::string>{"Dentist", "Cinema"});
}

TEST_CASE("everything acknowledged survives stopping and starting again", "[server]") {
  testing::TempDir dir;
  for (const Durability durability : {Durability::sync, Durability::no_sync}) {
    const auto data = dir.path() / std::string(to_string(durability));
    {
      auto system = start_system(data, durability);
      auto alice = system->cache().server_process("alice");
      add(*alice, "2018-12-19", "Dentist");
      add(*alice, "2018-12-20", "Shopping");
      add(*alice, "2018-12-21", "Movies");
      REQUIRE(call(*alice, UpdateEntry{1, {.title = "Dentist at 9", .done = true}}).ok());
      REQUIRE(call(*alice, DeleteEntry{2}).ok());
      auto bob = system->cache().server_process("bob");
      add(*bob, "2019-01-01", "New year");
      REQUIRE(call(*bob, DropList{}).ok());
      add(*bob, "2019-01-02", "After the drop");
    }
    auto system = start_system(data, durability);
    auto alice = system->cache().server_process("alice");
    CHECK(entries(*alice) == std::vector<Entry>{{1, day("2018-12-19"), "Dentist at 9", true},
                                                {3, day("2018-12-21"), "Movies", false}});
    CHECK(add(*alice, "2018-12-22", "Next") == 4);  // next id survives too
    auto bob = system->cache().server_process("bob");
    // A dropped list keeps handing out new ids: id 1 never names two entries.
    CHECK(entries(*bob) == std::vector<Entry>{{2, day("2019-01-02"), "After the drop", false}});
    auto names = system->database().list_names("", 1000);
    REQUIRE(names.ok());
    CHECK(names.value() == std::vector<std::string>{"alice", "bob"});
  }
}

TEST_CASE("ids stay retired across restarts, with metadata written only when entries cannot tell",
          "[server]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto dave = system->cache().server_process("dave");
    for (int i = 0; i < 5; ++i) add(*dave, "2020-04-04", "task");  // metadata after the first
    REQUIRE(call(*dave, DeleteEntry{5}).ok());  // the newest: its id must not come back
  }
  {
    auto system = start_system(dir.path());
    auto dave = system->cache().server_process("dave");
    CHECK(add(*dave, "2020-04-05", "after a restart") == 6);
    CHECK(add(*dave, "2020-04-05", "and another") == 7);  // an add alone: no metadata
    for (EntryId id = 1; id <= 7; ++id) {
      if (id != 5) REQUIRE(call(*dave, DeleteEntry{id}).ok());
    }
    CHECK(entries(*dave).empty());
  }
  auto system = start_system(dir.path());
  auto dave = system->cache().server_process("dave");
  CHECK(entries(*dave).empty());
  CHECK(system->database().list_names("", 1000).value().empty());
  CHECK(add(*dave, "2020-04-06", "again") == 8);
  CHECK(system->database().list_names("", 1000).value() == std::vector<std::string>{"dave"});
}

TEST_CASE("a dropped list is gone after a restart", "[server]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto carol = system->cache().server_process("carol");
    for (int i = 0; i < 50; ++i) add(*carol, "2020-03-03", "task");
    REQUIRE(call(*carol, DropList{}).ok());
    CHECK(entries(*carol).empty());
  }
  auto system = start_system(dir.path());
  auto carol = system->cache().server_process("carol");
  CHECK(entries(*carol).empty());
  CHECK(system->database().list_names("", 1000).value().empty());
  CHECK(add(*carol, "2020-03-04", "after") == 51);
}

TEST_CASE("many concurrent adds to one list get distinct ids, in fewer writes", "[server]") {
  testing::TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kAddsPerThread = 250;
  std::uint64_t writes = 0;
  {
    auto system = start_system(dir.path());
    // Catch2's assertions (inside day()) are for the test's own thread only.
    const Date when = day("2021-01-01");
    std::vector<std::thread> threads;
    std::vector<std::vector<EntryId>> ids(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::future<ListResult>> replies;
        for (int i = 0; i < kAddsPerThread; ++i) {
          auto promise = std::make_shared<std::promise<ListResult>>();
          replies.push_back(promise->get_future());
          system->cache().send("busy",
                               AddEntry{when, "t" + std::to_string(t) + "-" + std::to_string(i)},
                               [promise](ListResult r) { promise->set_value(std::move(r)); });
        }
        for (auto& reply : replies) ids[t].push_back(std::get<EntryId>(reply.get().value()));
      });
    }
    for (auto& thread : threads) thread.join();
    std::set<EntryId> distinct;
    for (const auto& per_thread : ids) {
      // One sender's requests are handled in the order it sent them.
      CHECK(std::is_sorted(per_thread.begin(), per_thread.end()));
      distinct.insert(per_thread.begin(), per_thread.end());
    }
    CHECK(distinct.size() == kThreads * kAddsPerThread);
    CHECK(*distinct.rbegin() == kThreads * kAddsPerThread);
    writes = system->database().write_count();
  }
  // A list with requests queued behind a write sends them as one group.
  CHECK(writes < kThreads * kAddsPerThread);
  auto system = start_system(dir.path());
  CHECK(entries(*system->cache().server_process("busy")).size() == kThreads * kAddsPerThread);
}

TEST_CASE("requests beyond one group are all answered", "[server]") {
  // More than kMaxGroupSize requests arrive at once, so a turn leaves a
  // backlog behind its write, which the write's completion must pick up.
  // (A narrower window, the write completing while the actor is still marked
  // scheduled, is closed by has_new_work() reading the backlog flag; it is too
  // narrow to hit on purpose.)
  testing::TempDir dir;
  auto system = start_system(dir.path(), Durability::no_sync);
  auto list = system->cache().server_process("backlog");
  const Date when = day("2024-05-05");
  for (int round = 0; round < 20; ++round) {
    constexpr int kRequests = static_cast<int>(Server::kMaxGroupSize) * 5 / 2;
    std::vector<std::future<ListResult>> replies;
    for (int i = 0; i < kRequests; ++i) {
      auto promise = std::make_shared<std::promise<ListResult>>();
      replies.push_back(promise->get_future());
      system->cache().send("backlog", AddEntry{when, "r" + std::to_string(round)},
                           [promise](ListResult r) { promise->set_value(std::move(r)); });
    }
    for (auto& reply : replies) {
      REQUIRE(reply.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
      REQUIRE(reply.get().ok());
    }
    // Keep the list small: the point is the queueing, not the size.
    REQUIRE(call(*list, DropList{}).ok());
  }
}

TEST_CASE("a read queued behind a change sees the change", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  std::promise<ListResult> added, read;
  system->cache().send("order", AddEntry{day("2022-02-02"), "first"},
                       [&](ListResult r) { added.set_value(std::move(r)); });
  system->cache().send("order", GetEntries{}, [&](ListResult r) { read.set_value(std::move(r)); });
  REQUIRE(added.get_future().get().ok());
  auto result = read.get_future().get();
  REQUIRE(result.ok());
  CHECK(entries_read(result).size() == 1);
}

TEST_CASE("a list whose stored data is corrupt answers with an error naming it", "[server]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    add(*system->cache().server_process("fine"), "2020-01-01", "ok");
  }
  {
    // Corrupt one list's metadata directly.
    auto database = Database::open({.data_dir = dir.path()});
    REQUIRE(database.ok());
    std::promise<Result<void>> done;
    database.value()->write("broken",
                            ListWrite{{{StorageMutation::Kind::put, "mbroken", "not cereal"}},
                                      [&](Result<void> r) { done.set_value(std::move(r)); }});
    REQUIRE(done.get_future().get().ok());
  }
  auto system = start_system(dir.path());
  auto broken = call(*system->cache().server_process("broken"), GetEntries{});
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == StatusCode::internal);
  CHECK_THAT(broken.error().message, Catch::Contains("'broken'"));
  CHECK(entries(*system->cache().server_process("fine")).size() == 1);
}

TEST_CASE("invalid requests change nothing", "[server]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto list = system->cache().server_process("strict");
  add(*list, "2020-01-01", "keep");
  CHECK_FALSE(call(*list, AddEntry{day("2020-01-01"), ""}).ok());
  CHECK_FALSE(call(*list, AddEntry{day("2020-01-01"), "bad\x01"}).ok());
  CHECK_FALSE(call(*list, DeleteEntry{99}).ok());
  CHECK(entries(*list) == std::vector<Entry>{{1, day("2020-01-01"), "keep", false}});
  CHECK(add(*list, "2020-01-02", "next") == 2);
}

}  // namespace
}  // namespace todo
