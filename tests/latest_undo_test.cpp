// Tests for `todo undo` without a list (daemon/latest_undo.hpp,
// daemon/undo_order.hpp): it reverts the newest change of any list, then the
// one before, across adds, updates, deletes, drops, moves and renames, after
// a restart too, with a key sent again, and past what the order keeps. Real
// System, real RocksDB on a temporary directory.
#include "daemon/latest_undo.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/validation.hpp"
#include "daemon/cache.hpp"
#include "daemon/list_transfers.hpp"
#include "daemon/system.hpp"
#include "daemon/undo_journal.hpp"
#include "daemon/undo_order.hpp"
#include "failing_file_system.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<System> start_system(const std::filesystem::path& dir, std::size_t worker_count = 1,
                                     rocksdb::Env* env = nullptr) {
  auto system = System::start(
      {.database = {.data_dir = dir, .worker_count = worker_count, .env = env}, .thread_count = 2});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

template <class Answer>
Answer wait_for(std::future<Answer> future) {
  if (future.wait_for(30s) != std::future_status::ready) throw std::runtime_error("no answer");
  return future.get();
}

ListResult ask(System& system, const std::string& list, ListOperation operation) {
  auto answer = std::make_shared<std::promise<ListResult>>();
  Server::ReplyFn reply = [answer](ListResult result) { answer->set_value(std::move(result)); };
  if (is_transfer(operation)) {
    system.cache().transfers().start(list, std::move(operation), std::nullopt, std::move(reply));
  } else {
    system.cache().send(list, std::move(operation), std::move(reply));
  }
  return wait_for(answer->get_future());
}

Result<UndoneIn> undo_latest(System& system, std::optional<IdempotencyKey> key = std::nullopt) {
  auto answer = std::make_shared<std::promise<Result<UndoneIn>>>();
  LatestUndo::start(system.cache(), key,
                    [answer](Result<UndoneIn> undone) { answer->set_value(std::move(undone)); });
  return wait_for(answer->get_future());
}

// "list change title" of what the undo reverted.
std::string undone_latest(System& system) {
  auto undone = undo_latest(system);
  if (!undone) FAIL(undone.error().message);
  return undone.value().list + " " + std::string(change_name(undone.value().undone.change)) + " " +
         undone.value().undone.entry.title;
}

void require_ok(const ListResult& result) {
  if (!result) FAIL(result.error().message);
}

void add(System& system, const std::string& list, const std::string& title) {
  static const Date kDay = Date::parse("2026-12-08").value();
  require_ok(ask(system, list, AddEntry{kDay, title, {}}));
}

std::vector<std::string> titles(System& system, const std::string& list) {
  std::vector<std::string> shown;
  for (const Entry& entry : testing::entries_read(ask(system, list, GetEntries{}))) {
    shown.push_back(entry.title + (entry.done ? " [x]" : ""));
  }
  return shown;
}

// Entries enough that a drop of them keeps no undo step (kMaxStepBytes).
void fill_past_step_bytes(System& system, const std::string& list) {
  static const Date kDay = Date::parse("2026-12-08").value();
  const std::string title(kMaxTitleBytes, 't');
  const std::size_t count = UndoJournal::kMaxStepBytes / kMaxTitleBytes + 100;
  std::vector<std::shared_ptr<std::promise<ListResult>>> answers;
  for (std::size_t i = 0; i < count; ++i) {
    auto answer = std::make_shared<std::promise<ListResult>>();
    answers.push_back(answer);
    system.cache().send(list, AddEntry{kDay, title, {}},
                        [answer](ListResult result) { answer->set_value(std::move(result)); });
  }
  for (auto& answer : answers) require_ok(wait_for(answer->get_future()));
}

bool is_nothing_to_undo(const Result<UndoneIn>& undone) {
  return !undone && undone.error().code == StatusCode::not_found &&
         undone.error().message.starts_with("nothing to undo among the changes todod keeps");
}

}  // namespace

TEST_CASE("undo without a list reverts the newest change of any list, then the one before",
          "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "home", "milk");
  add(*system, "work", "report");
  add(*system, "home", "bread");
  EntryChange done;
  done.done = true;
  require_ok(ask(*system, "work", UpdateEntry{1, done}));
  require_ok(ask(*system, "home", DeleteEntry{1}));
  add(*system, "shop", "eggs");
  require_ok(ask(*system, "shop", DropList{}));

  CHECK(undone_latest(*system) == "shop drop ");
  CHECK(titles(*system, "shop") == std::vector<std::string>{"eggs"});
  CHECK(undone_latest(*system) == "shop add eggs");
  CHECK(undone_latest(*system) == "home delete milk");
  CHECK(undone_latest(*system) == "work update report");
  CHECK(titles(*system, "work") == std::vector<std::string>{"report"});
  // An undo named by its list comes in between: the order skips what it
  // reverted.
  require_ok(ask(*system, "home", UndoChange{}));
  CHECK(undone_latest(*system) == "work add report");
  // A change after an undo takes the step's sequence the undo freed: its
  // own hint is newer than the one the undo left behind.
  add(*system, "home", "jam");
  add(*system, "work", "mail");
  CHECK(undone_latest(*system) == "work add mail");
  CHECK(undone_latest(*system) == "home add jam");
  CHECK(undone_latest(*system) == "home add milk");
  CHECK(is_nothing_to_undo(undo_latest(*system)));
  CHECK(titles(*system, "home").empty());
  CHECK(titles(*system, "work").empty());
  // Each walk counted itself in progress until it answered.
  CHECK(system->counters().requests_in_progress.load() == 0);
}

TEST_CASE("undo without a list stops at a change it cannot undo, not at an older one", "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "other", "older");
  fill_past_step_bytes(*system, "big");
  require_ok(ask(*system, "big", DropList{}));

  const auto stopped = undo_latest(*system);
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().message ==
        "the last change that can be reached, to list 'big', cannot be undone: it was a drop of "
        "over 8 MiB, which is not kept; name a list to undo its own, todo undo LIST");
  CHECK(titles(*system, "other") == std::vector<std::string>{"older"});
  CHECK(system->counters().requests_in_progress.load() == 0);
  // A move into the list lent by the drop's actor: its hints are its own.
  require_ok(ask(*system, "other", MoveEntry{1, "big"}));
  CHECK(undone_latest(*system) == "other move older");
  CHECK_FALSE(undo_latest(*system));
  // A later change comes first; a list's own undo reaches past the drop.
  add(*system, "new", "later");
  CHECK(undone_latest(*system) == "new add later");
  CHECK_FALSE(undo_latest(*system));
  require_ok(ask(*system, "other", UndoChange{}));
  CHECK(titles(*system, "other").empty());
}

TEST_CASE("undo without a list takes one change at a time out of a group of many", "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "b", "first");
  // Sent together, so that the list's actor takes them as one group: one
  // hint for all their steps.
  static const Date kDay = Date::parse("2026-12-08").value();
  std::vector<std::shared_ptr<std::promise<ListResult>>> answers;
  for (int i = 0; i < 20; ++i) {
    auto answer = std::make_shared<std::promise<ListResult>>();
    answers.push_back(answer);
    system->cache().send("a", AddEntry{kDay, "a" + std::to_string(i), {}},
                         [answer](ListResult result) { answer->set_value(std::move(result)); });
  }
  for (auto& answer : answers) require_ok(wait_for(answer->get_future()));
  for (int i = 19; i >= 0; --i) CHECK(undone_latest(*system) == "a add a" + std::to_string(i));
  CHECK(undone_latest(*system) == "b add first");
}

TEST_CASE("undo without a list goes on where it was after a restart, whatever the workers",
          "[undo]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path(), 3);
    for (int i = 1; i <= 6; ++i) add(*system, "l" + std::to_string(i), "t" + std::to_string(i));
  }
  {
    auto system = start_system(dir.path(), 1);
    CHECK(undone_latest(*system) == "l6 add t6");
    // Numbered after every group stored, so it is the newest.
    add(*system, "l1", "later");
    CHECK(undone_latest(*system) == "l1 add later");
  }
  auto system = start_system(dir.path(), 2);
  for (int i = 5; i >= 1; --i) {
    CHECK(undone_latest(*system) == "l" + std::to_string(i) + " add t" + std::to_string(i));
  }
  CHECK(is_nothing_to_undo(undo_latest(*system)));
}

TEST_CASE("undo without a list follows a rename, and reverts a move in both lists", "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "a", "x");
  add(*system, "b", "y");
  add(*system, "a", "z");
  require_ok(ask(*system, "a", RenameList{"c"}));
  // The old name, used again: its newer steps are its own.
  add(*system, "a", "new");
  require_ok(ask(*system, "b", MoveEntry{1, "c"}));

  // Asked of the list the entry goes back to, which the answer names.
  CHECK(undone_latest(*system) == "b move y");
  CHECK(titles(*system, "b") == std::vector<std::string>{"y"});
  CHECK(titles(*system, "c") == std::vector<std::string>{"x", "z"});
  CHECK(undone_latest(*system) == "a add new");
  CHECK(undone_latest(*system) == "c add z");
  CHECK(undone_latest(*system) == "b add y");
  CHECK(undone_latest(*system) == "c add x");
  CHECK(is_nothing_to_undo(undo_latest(*system)));

  system.reset();
  system = start_system(dir.path());
  add(*system, "c", "after");
  require_ok(ask(*system, "c", RenameList{"d"}));
  CHECK(undone_latest(*system) == "d add after");
}

TEST_CASE("undo without a list, sent again with its key, answers the first answer", "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "a", "one");
  add(*system, "b", "two");
  const IdempotencyKey key{7, 9};
  auto first = undo_latest(*system, key);
  REQUIRE(first);
  auto again = undo_latest(*system, key);
  REQUIRE(again);
  CHECK(again.value() == first.value());
  CHECK(first.value().list == "b");
  CHECK(titles(*system, "a") == std::vector<std::string>{"one"});
  CHECK(undone_latest(*system) == "a add one");
}

TEST_CASE("undo without a list reaches the changes of the last groups it keeps, no further",
          "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  // Two lists, so that no journal (100 steps) runs out before the order.
  const std::size_t groups = UndoOrder::kKeptGroups + 4;
  for (std::size_t i = 0; i < groups; ++i) {
    add(*system, i % 2 == 0 ? "even" : "odd", std::to_string(i));
  }
  for (std::size_t i = groups; i > groups - UndoOrder::kKeptGroups; --i) {
    CHECK(undone_latest(*system) ==
          std::string(i % 2 == 1 ? "even" : "odd") + " add " + std::to_string(i - 1));
  }
  CHECK(is_nothing_to_undo(undo_latest(*system)));
  // Each list's own journal still reaches its older changes.
  require_ok(ask(*system, "even", UndoChange{}));
  CHECK(titles(*system, "even") == std::vector<std::string>{"0"});
}

TEST_CASE("a drop whose write failed leaves no stop for undo without a list", "[undo][disk]") {
  testing::TempDir dir;
  auto file_system = std::make_shared<testing::FailingFileSystem>();
  auto env = testing::env_over(file_system);
  auto system = start_system(dir.path(), 1, env.get());
  fill_past_step_bytes(*system, "big");
  file_system->set_read_only(true);
  CHECK_FALSE(ask(*system, "big", DropList{}));
  file_system->set_read_only(false);
  static const Date kDay = Date::parse("2026-12-08").value();
  ListResult probe = ask(*system, "probe", AddEntry{kDay, "probe", {}});
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !probe && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(20ms);
    probe = ask(*system, "probe", AddEntry{kDay, "probe", {}});
  }
  require_ok(probe);
  CHECK(undone_latest(*system) == "probe add probe");
  // The drop is not on disk: the list's last add is the newest change left.
  auto undone = undo_latest(*system);
  REQUIRE(undone);
  CHECK(undone.value().list == "big");
  CHECK(undone.value().undone.change == ChangeKind::add);
}

}  // namespace todo
