// Tests for changes to two lists at once (daemon/list_transfers.hpp): a
// rename, a move of one entry, and the undo of a move, each one write batch
// with both lists' actors lent. What they change, what they refuse, keys sent
// again, transfers that cross and race with adds and with retirement, a
// write that fails, and a restart that reads what they left. Real System,
// real RocksDB on a temporary directory.
#include "daemon/list_transfers.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/system.hpp"
#include "failing_file_system.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<System> start_system(const std::filesystem::path& dir, rocksdb::Env* env = nullptr,
                                     std::chrono::milliseconds idle_timeout = 0ms) {
  auto system = System::start(
      {.database = {.data_dir = dir, .env = env}, .thread_count = 2, .idle_timeout = idle_timeout});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

// One request as RequestHandler hands it on: transfers to ListTransfers,
// the rest to the list's actor through the Cache. Throws (not Catch's FAIL:
// clients call it on threads of their own) when no answer comes in 30 s.
ListResult ask(System& system, const std::string& list, ListOperation operation,
               std::optional<IdempotencyKey> key = std::nullopt) {
  auto answer = std::make_shared<std::promise<ListResult>>();
  Server::ReplyFn reply = [answer](ListResult result) { answer->set_value(std::move(result)); };
  if (is_transfer(operation)) {
    system.cache().transfers().start(list, std::move(operation), key, std::move(reply));
  } else {
    system.cache().send(list, std::move(operation), key, std::move(reply));
  }
  auto future = answer->get_future();
  if (future.wait_for(30s) != std::future_status::ready) {
    throw std::runtime_error("no answer for list '" + list + "'");
  }
  return future.get();
}

EntryId add(System& system, const std::string& list, const std::string& title, Tags tags = {}) {
  static const Date kDay = Date::parse("2026-12-07").value();
  ListResult result = ask(system, list, AddEntry{kDay, title, std::move(tags)});
  if (!result) throw std::runtime_error("add failed: " + result.error().message);
  return std::get<EntryId>(result.value());
}

std::vector<Entry> entries(System& system, const std::string& list) {
  return testing::entries_read(ask(system, list, GetEntries{}));
}

// "id title" for each entry, "[x]" after the id when it is done.
std::vector<std::string> shown(System& system, const std::string& list) {
  std::vector<std::string> lines;
  for (const Entry& entry : entries(system, list)) {
    lines.push_back(std::to_string(entry.id) + (entry.done ? " [x] " : " ") + entry.title);
  }
  return lines;
}

std::string failure(const ListResult& result) {
  if (result) FAIL("succeeded where it should not have");
  return result.error().message;
}

void require_ok(const ListResult& result) {
  if (!result) FAIL(result.error().message);
}

}  // namespace

TEST_CASE("a rename keeps the entries and their ids, and its journal goes with it", "[transfer]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "home", "milk");
  add(*system, "home", "bread", {"shop"});
  add(*system, "home", "gone");
  require_ok(ask(*system, "home", DeleteEntry{3}));
  EntryChange done;
  done.done = true;
  require_ok(ask(*system, "home", UpdateEntry{2, done}));

  require_ok(ask(*system, "home", RenameList{"house"}));
  CHECK(shown(*system, "house") == std::vector<std::string>{"1 milk", "2 [x] bread"});
  CHECK(entries(*system, "house")[1].tags == Tags{"shop"});
  CHECK(entries(*system, "home").empty());

  // The old name holds nothing and keeps its next id, as a drop leaves it;
  // the new one goes on from where the list was.
  CHECK(add(*system, "home", "new") == 4);
  CHECK(add(*system, "house", "eggs") == 4);
  // The journal came along: undo reverts the add, then the done, then the
  // delete made under the old name.
  require_ok(ask(*system, "house", UndoChange{}));
  require_ok(ask(*system, "house", UndoChange{}));
  require_ok(ask(*system, "house", UndoChange{}));
  CHECK(shown(*system, "house") == std::vector<std::string>{"1 milk", "2 bread", "3 gone"});

  system.reset();
  auto restarted = start_system(dir.path());
  CHECK(shown(*restarted, "house") == std::vector<std::string>{"1 milk", "2 bread", "3 gone"});
  CHECK(shown(*restarted, "home") == std::vector<std::string>{"4 new"});
}

TEST_CASE("a rename is refused onto a list with entries, and of one without", "[transfer]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "a", "one");
  add(*system, "b", "two");

  CHECK(failure(ask(*system, "a", RenameList{"b"})) ==
        "list 'b' already holds 1 entry: a rename onto a list with entries is refused");
  CHECK(failure(ask(*system, "a", RenameList{"a"})) == "list 'a' already has that name");
  CHECK(failure(ask(*system, "nobody", RenameList{"c"})) ==
        "list 'nobody' holds no entries: nothing to rename");
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one"});
  CHECK(shown(*system, "b") == std::vector<std::string>{"1 two"});

  // A list emptied by a drop holds no entries, but handed out ids, which a
  // rename would give again; its drop can still be undone.
  add(*system, "b", "three");
  require_ok(ask(*system, "b", DropList{}));
  CHECK(failure(ask(*system, "a", RenameList{"b"})) ==
        "list 'b' held entries before (its ids went up to 2), and a rename onto it would give "
        "those ids again: rename to a name no list has used");
  require_ok(ask(*system, "b", UndoChange{}));
  CHECK(shown(*system, "b") == std::vector<std::string>{"1 two", "2 three"});
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one"});
}

TEST_CASE("a move gives the entry a new id there, and undo in either list moves it back",
          "[transfer]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "a", "one");
  add(*system, "a", "two", {"x"});
  EntryChange done;
  done.done = true;
  require_ok(ask(*system, "a", UpdateEntry{2, done}));
  add(*system, "b", "bee");

  ListResult moved = ask(*system, "a", MoveEntry{2, "b"});
  require_ok(moved);
  CHECK(std::get<EntryId>(moved.value()) == 2);
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one"});
  CHECK(shown(*system, "b") == std::vector<std::string>{"1 bee", "2 [x] two"});
  CHECK(entries(*system, "b")[1].tags == Tags{"x"});

  CHECK(failure(ask(*system, "a", MoveEntry{2, "b"})) == "no entry 2 in list 'a'");
  CHECK(failure(ask(*system, "a", MoveEntry{1, "a"})) == "entry 1 is in list 'a' already");

  SECTION("undone in the list it left") {
    ListResult undone = ask(*system, "a", UndoChange{});
    require_ok(undone);
    CHECK(std::get<Undone>(undone.value()).change == ChangeKind::move);
    CHECK(std::get<Undone>(undone.value()).entry.id == 2);
  }
  SECTION("undone in the list it went to") { require_ok(ask(*system, "b", UndoChange{})); }
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one", "2 [x] two"});
  CHECK(shown(*system, "b") == std::vector<std::string>{"1 bee"});
  // The move's step went from both journals: the next undo in each reverts
  // the change before the move.
  require_ok(ask(*system, "a", UndoChange{}));
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one", "2 two"});
  ListResult bee = ask(*system, "b", UndoChange{});
  require_ok(bee);
  CHECK(std::get<Undone>(bee.value()).change == ChangeKind::add);
  CHECK(entries(*system, "b").empty());

  system.reset();
  auto restarted = start_system(dir.path());
  CHECK(shown(*restarted, "a") == std::vector<std::string>{"1 one", "2 two"});
  CHECK(entries(*restarted, "b").empty());
}

TEST_CASE("a move undone after the other list changed takes the entry back as it is",
          "[transfer]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "a", "one");
  require_ok(ask(*system, "a", MoveEntry{1, "b"}));
  EntryChange retitled;
  retitled.title = "one, edited";
  require_ok(ask(*system, "b", UpdateEntry{1, retitled}));
  add(*system, "b", "later");

  require_ok(ask(*system, "a", UndoChange{}));
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one, edited"});
  CHECK(shown(*system, "b") == std::vector<std::string>{"2 later"});
  // b's steps about the entry (its retitling) find it gone.
  require_ok(ask(*system, "b", UndoChange{}));  // the add of "later"
  CHECK_THAT(failure(ask(*system, "b", UndoChange{})),
             Catch::Contains("changed in a way its undo journal did not record"));
}

TEST_CASE("an undo of a move whose entry left the other list empties the journal", "[transfer]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "a", "one");
  add(*system, "a", "two");
  require_ok(ask(*system, "a", MoveEntry{2, "b"}));
  require_ok(ask(*system, "b", DeleteEntry{1}));

  CHECK(failure(ask(*system, "a", UndoChange{})) ==
        "nothing was undone in list 'a': its last change moved an entry, and list 'b' no longer "
        "holds it as entry 1; its undo journal is emptied");
  // Emptied, not one step used up: a retry of the undo reverts nothing older.
  CHECK(failure(ask(*system, "a", UndoChange{})) ==
        "nothing to undo in list 'a': it keeps its last 100 changes");
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one"});
  CHECK(entries(*system, "b").empty());
}

TEST_CASE("a move sent again with its key is answered its first answer, once", "[transfer]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  add(*system, "a", "one");
  add(*system, "a", "two");
  const IdempotencyKey key{7, 9};
  ListResult first = ask(*system, "a", MoveEntry{1, "b"}, key);
  require_ok(first);
  ListResult again = ask(*system, "a", MoveEntry{1, "b"}, key);
  require_ok(again);
  CHECK(std::get<EntryId>(again.value()) == std::get<EntryId>(first.value()));
  CHECK_THAT(failure(ask(*system, "a", MoveEntry{2, "b"}, key)),
             Catch::Contains("came before with another change"));
  CHECK(shown(*system, "b") == std::vector<std::string>{"1 one"});

  const IdempotencyKey rename_key{7, 10};
  require_ok(ask(*system, "a", RenameList{"c"}, rename_key));
  require_ok(ask(*system, "a", RenameList{"c"}, rename_key));
  CHECK(shown(*system, "c") == std::vector<std::string>{"2 two"});

  system.reset();
  auto restarted = start_system(dir.path());
  ListResult after_restart = ask(*restarted, "a", MoveEntry{1, "b"}, key);
  require_ok(after_restart);
  CHECK(std::get<EntryId>(after_restart.value()) == std::get<EntryId>(first.value()));
  require_ok(ask(*restarted, "a", RenameList{"c"}, rename_key));
  CHECK(shown(*restarted, "b") == std::vector<std::string>{"1 one"});
  CHECK(shown(*restarted, "c") == std::vector<std::string>{"2 two"});
}

TEST_CASE("moves that cross, with adds and retirements, lose and duplicate nothing", "[transfer]") {
  testing::TempDir dir;
  // Idle actors retire at once: loans race with retirement throughout.
  auto system = start_system(dir.path(), nullptr, 1ms);
  const std::vector<std::string> lists{"a", "b", "c"};
  std::set<std::string> expected;
  for (const std::string& list : lists) {
    for (int i = 0; i < 10; ++i) {
      const std::string title = list + std::to_string(i);
      add(*system, list, title);
      expected.insert(title);
    }
  }
  std::atomic<int> moved{0};
  std::atomic<int> added{0};
  std::mutex added_mutex;
  std::vector<std::thread> clients;
  for (int client = 0; client < 3; ++client) {
    clients.emplace_back([&, client] {
      for (int round = 0; round < 60; ++round) {
        const std::string& from = lists[(client + round) % lists.size()];
        const std::string& to = lists[(client + round + 1 + round % 2) % lists.size()];
        const std::vector<Entry> held = entries(*system, from);
        if (!held.empty()) {
          // Another client may have moved it first: not found is an answer.
          const ListResult result = ask(*system, from, MoveEntry{held[round % held.size()].id, to});
          if (result) {
            ++moved;
          } else if (result.error().code != StatusCode::not_found) {
            throw std::runtime_error("move failed: " + result.error().message);
          }
        }
        if (round % 10 == 0) {
          const std::string title = "added" + std::to_string(client) + "-" + std::to_string(round);
          add(*system, to, title);
          std::lock_guard lock(added_mutex);
          expected.insert(title);
          ++added;
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  CHECK(moved > 50);

  const auto every_title = [&](System& of) {
    std::multiset<std::string> titles;
    for (const std::string& list : lists) {
      std::set<EntryId> ids;
      for (const Entry& entry : entries(of, list)) {
        titles.insert(entry.title);
        CHECK(ids.insert(entry.id).second);
      }
    }
    return titles;
  };
  const std::multiset<std::string> titles = every_title(*system);
  CHECK(titles == std::multiset<std::string>(expected.begin(), expected.end()));
  system.reset();
  auto restarted = start_system(dir.path());
  CHECK(every_title(*restarted) == titles);
}

TEST_CASE("a transfer whose write fails changes neither list", "[transfer][disk]") {
  testing::TempDir dir;
  auto file_system = std::make_shared<testing::FailingFileSystem>();
  auto env = testing::env_over(file_system);
  auto system = start_system(dir.path(), env.get());
  add(*system, "a", "one");
  add(*system, "a", "two");
  add(*system, "b", "bee");

  file_system->set_read_only(true);
  CHECK_THAT(failure(ask(*system, "a", MoveEntry{1, "b"})),
             Catch::Contains("could not save the change to list 'a'"));
  CHECK_THAT(failure(ask(*system, "a", RenameList{"c"})), Catch::Contains("list 'a'"));
  CHECK(shown(*system, "a") == std::vector<std::string>{"1 one", "2 two"});
  CHECK(shown(*system, "b") == std::vector<std::string>{"1 bee"});
  CHECK(entries(*system, "c").empty());

  file_system->set_read_only(false);
  ListResult moved = ask(*system, "a", MoveEntry{1, "b"});
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !moved && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(20ms);
    moved = ask(*system, "a", MoveEntry{1, "b"});
  }
  require_ok(moved);
  CHECK(std::get<EntryId>(moved.value()) == 2);
  system.reset();
  auto plain = start_system(dir.path());
  CHECK(shown(*plain, "a") == std::vector<std::string>{"2 two"});
  CHECK(shown(*plain, "b") == std::vector<std::string>{"1 bee", "2 one"});
}

}  // namespace todo
