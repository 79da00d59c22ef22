// Tests for undo on a list's actor (daemon/undo_journal.hpp, daemon/server.hpp),
// on a real RocksDB: each change reverted newest first, a journal that
// outlives a restart and keeps the last UndoJournal::kMaxSteps changes, an
// undo in the same group as its change, a keyed undo sent twice, and a list
// changed behind its journal's back.
#include "daemon/undo_journal.hpp"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <vector>

#include "daemon/cache.hpp"
#include "daemon/server.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "daemon/system.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using testing::add;
using testing::call;
using testing::day;
using testing::entries;

std::unique_ptr<System> start_system(const std::filesystem::path& dir) {
  auto system = System::start({.database = {.data_dir = dir}, .thread_count = 2});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

Undone undone(const ListResult& result) {
  if (!result) FAIL(result.error().message);
  return std::get<Undone>(result.value());
}

std::vector<EntryId> ids(Server& server) {
  std::vector<EntryId> found;
  for (const Entry& entry : entries(server)) found.push_back(entry.id);
  return found;
}

UpdateEntry marked_done(EntryId id) {
  EntryChange change;
  change.done = true;
  return UpdateEntry{id, change};
}

TEST_CASE("undo reverts a drop, a delete, an update and adds, newest first", "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  const Entry dentist{1, day("2026-12-02"), "Dentist", false, {}};
  const Entry report{2, day("2026-12-03"), "Report", false, {"work"}};
  REQUIRE(add(*bob, "2026-12-02", "Dentist") == 1);
  REQUIRE(call(*bob, AddEntry{day("2026-12-03"), "Report", {"work"}}).ok());
  REQUIRE(call(*bob, marked_done(2)).ok());
  REQUIRE(call(*bob, DeleteEntry{1}).ok());
  REQUIRE(call(*bob, DropList{}).ok());
  REQUIRE(entries(*bob).empty());

  CHECK(undone(call(*bob, UndoChange{})) == Undone{ChangeKind::drop, 1, {}});
  Entry report_done = report;
  report_done.done = true;
  CHECK(entries(*bob) == std::vector<Entry>{report_done});
  CHECK(undone(call(*bob, UndoChange{})) == Undone{ChangeKind::erase, 1, dentist});
  CHECK(entries(*bob) == std::vector<Entry>{dentist, report_done});
  CHECK(undone(call(*bob, UndoChange{})) == Undone{ChangeKind::update, 1, report});
  CHECK(entries(*bob) == std::vector<Entry>{dentist, report});
  CHECK(undone(call(*bob, UndoChange{})) == Undone{ChangeKind::add, 1, report});
  CHECK(undone(call(*bob, UndoChange{})) == Undone{ChangeKind::add, 1, dentist});
  CHECK(entries(*bob).empty());

  const ListResult nothing = call(*bob, UndoChange{});
  REQUIRE_FALSE(nothing.ok());
  CHECK(nothing.error().code == StatusCode::not_found);
  CHECK(nothing.error().message == "nothing to undo in list 'bob': it keeps its last 100 changes");
  // Ids are never given twice, undone adds' included.
  CHECK(add(*bob, "2026-12-04", "Again") == 3);
}

TEST_CASE("the undo journal outlives a restart, and so does what an undo reverted", "[undo]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    REQUIRE(add(*bob, "2026-12-02", "Dentist") == 1);
    REQUIRE(add(*bob, "2026-12-03", "Report") == 2);
    REQUIRE(call(*bob, marked_done(1)).ok());
    REQUIRE(undone(call(*bob, UndoChange{})).change == ChangeKind::update);
  }
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    CHECK_FALSE(entries(*bob).at(0).done);
    CHECK(undone(call(*bob, UndoChange{})) ==
          Undone{ChangeKind::add, 1, {2, day("2026-12-03"), "Report", false, {}}});
  }
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  CHECK(ids(*bob) == std::vector<EntryId>{1});
  CHECK(undone(call(*bob, UndoChange{})).change == ChangeKind::add);
  CHECK(entries(*bob).empty());
  CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
}

TEST_CASE("a journal keeps the last 100 changes, across a restart too", "[undo]") {
  constexpr std::size_t kChanges = UndoJournal::kMaxSteps + 5;
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    for (std::size_t i = 0; i < kChanges; ++i) REQUIRE(add(*bob, "2026-12-02", "Entry") == i + 1);
    // A few undone and done again before the restart: the ring's newest
    // slots are written over, not appended to.
    for (int i = 0; i < 3; ++i) REQUIRE(call(*bob, UndoChange{}).ok());
    for (std::size_t i = 0; i < 3; ++i)
      REQUIRE(add(*bob, "2026-12-02", "Entry") == kChanges + 1 + i);
  }
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  for (std::size_t i = 0; i < UndoJournal::kMaxSteps; ++i) {
    INFO("undo " << i + 1);
    REQUIRE(undone(call(*bob, UndoChange{})).change == ChangeKind::add);
  }
  CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
  // The first five changes were pushed out of the ring.
  CHECK(ids(*bob) == std::vector<EntryId>{1, 2, 3, 4, 5});
}

TEST_CASE("a drop too big for one step empties the journal instead", "[undo]") {
  // Past UndoJournal::kMaxStepBytes in titles of the longest kind.
  const std::string title(4096, 't');
  const std::size_t count = UndoJournal::kMaxStepBytes / title.size() + 1;
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    for (std::size_t i = 0; i < count; ++i) {
      REQUIRE(call(*bob, AddEntry{day("2026-12-02"), title}).ok());
    }
    REQUIRE(call(*bob, DropList{}).ok());
    CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
    REQUIRE(add(*bob, "2026-12-03", "After") == count + 1);
  }
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  CHECK(undone(call(*bob, UndoChange{})).change == ChangeKind::add);
  CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
  CHECK(entries(*bob).empty());
}

TEST_CASE("an undo in the same group as its change reverts it", "[undo]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    REQUIRE(add(*bob, "2026-12-02", "Kept") == 1);
    // Sent together, so the actor takes them in one turn: the undo finds its
    // step among those not yet written.
    std::vector<std::future<ListResult>> replies;
    for (ListOperation operation : std::vector<ListOperation>{AddEntry{day("2026-12-03"), "Undone"},
                                                              UndoChange{}, UndoChange{}}) {
      auto promise = std::make_shared<std::promise<ListResult>>();
      replies.push_back(promise->get_future());
      REQUIRE(bob->send(std::move(operation),
                        [promise](ListResult result) { promise->set_value(std::move(result)); }));
    }
    for (auto& reply : replies) {
      REQUIRE(reply.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
      REQUIRE(reply.get().ok());
    }
    CHECK(entries(*bob).empty());
  }
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  CHECK(entries(*bob).empty());
  CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
  CHECK(add(*bob, "2026-12-04", "Next") == 3);
}

TEST_CASE("a keyed undo sent again reverts one change and answers what it answered", "[undo]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  REQUIRE(add(*bob, "2026-12-02", "First") == 1);
  REQUIRE(add(*bob, "2026-12-03", "Second") == 2);
  const auto keyed_undo = [&] {
    auto promise = std::make_shared<std::promise<ListResult>>();
    auto reply = promise->get_future();
    REQUIRE(bob->send(UndoChange{}, IdempotencyKey{7, 7},
                      [promise](ListResult result) { promise->set_value(std::move(result)); }));
    REQUIRE(reply.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    return reply.get();
  };
  const Undone first = undone(keyed_undo());
  CHECK(first.entry.id == 2);
  CHECK(undone(keyed_undo()) == first);
  CHECK(ids(*bob) == std::vector<EntryId>{1});
}

TEST_CASE("an undo refuses a list changed behind its journal, and empties the journal", "[undo]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    REQUIRE(add(*bob, "2026-12-02", "First") == 1);
    REQUIRE(add(*bob, "2026-12-03", "Second") == 2);
    REQUIRE(add(*bob, "2026-12-04", "Third") == 3);
  }
  {
    // What a todod that writes no undo steps leaves when it deletes entry 3.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open({}, dir.path().string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Delete({}, StorageLayout::entry_key("bob", 3)).ok());
  }
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  const ListResult refused = call(*bob, UndoChange{});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == StatusCode::invalid_argument);
  CHECK(refused.error().message ==
        "list 'bob' changed in a way its undo journal did not record (entry 3 is gone), so "
        "nothing was undone and its journal is emptied");
  CHECK(ids(*bob) == std::vector<EntryId>{1, 2});
  // The steps before it are gone too: they might not match either.
  CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
}

TEST_CASE("a step that does not decode empties the journal and the steps before it", "[undo]") {
  testing::TempDir dir;
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    for (const char* title : {"First", "Second", "Third"}) {
      REQUIRE(call(*bob, AddEntry{day("2026-12-02"), title}).ok());
    }
  }
  {
    // Step 2, the second add's, in slot 2.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open({}, dir.path().string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put({}, StorageLayout::undo_key("bob", 2), "\xff\xfe garbage").ok());
  }
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    // Not step 3 either: which change step 2 reverted is unknown.
    CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
    CHECK(ids(*bob) == std::vector<EntryId>{1, 2, 3});
    REQUIRE(add(*bob, "2026-12-03", "Fourth") == 4);
  }
  // The slots were erased: after a restart, only the add since is undone.
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  CHECK(undone(call(*bob, UndoChange{})).entry.id == 4);
  CHECK(call(*bob, UndoChange{}).error().code == StatusCode::not_found);
  CHECK(ids(*bob) == std::vector<EntryId>{1, 2, 3});
}

}  // namespace
}  // namespace todo
