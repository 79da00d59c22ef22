// Tests for idempotency keys on a list's actor (daemon/server.hpp,
// daemon/remembered_changes.hpp): a change sent again with its key is answered
// its first answer and not applied twice, also after a restart of the daemon;
// a key is refused on a read and with another change; past the bound, the
// oldest key is forgotten.
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <vector>

#include "common/codec.hpp"
#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/remembered_changes.hpp"
#include "daemon/server.hpp"
#include "daemon/storage/list_mutations.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "daemon/system.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using testing::call;
using testing::day;
using testing::entries;

std::unique_ptr<System> start_system(const std::filesystem::path& dir) {
  auto system = System::start({.database = {.data_dir = dir}, .thread_count = 2});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

ListResult call_keyed(Server& server, ListOperation operation, IdempotencyKey key) {
  auto promise = std::make_shared<std::promise<ListResult>>();
  auto reply = promise->get_future();
  if (!server.send(std::move(operation), key,
                   [promise](ListResult result) { promise->set_value(std::move(result)); })) {
    throw std::runtime_error("the actor of list '" + server.name() + "' has retired");
  }
  REQUIRE(reply.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return reply.get();
}

EntryId added_id(const ListResult& result) {
  if (!result) FAIL(result.error().message);
  return std::get<EntryId>(result.value());
}

AddEntry dentist() { return AddEntry{day("2026-12-02"), "Dentist"}; }

TEST_CASE("a keyed add sent twice adds one entry and answers the same id", "[idempotency]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  const IdempotencyKey key{1, 2};

  const EntryId first = added_id(call_keyed(*bob, dentist(), key));
  CHECK(added_id(call_keyed(*bob, dentist(), key)) == first);
  CHECK(entries(*bob).size() == 1);
  // Another key is another change.
  CHECK(added_id(call_keyed(*bob, dentist(), IdempotencyKey{1, 3})) == first + 1);
  CHECK(entries(*bob).size() == 2);
}

TEST_CASE("a keyed add sent twice in one group adds one entry", "[idempotency]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  const IdempotencyKey key{7, 7};
  // Sent without waiting: the second comes while the first is in its group
  // or its write.
  std::promise<ListResult> first, second;
  REQUIRE(bob->send(dentist(), key, [&](ListResult r) { first.set_value(std::move(r)); }));
  REQUIRE(bob->send(dentist(), key, [&](ListResult r) { second.set_value(std::move(r)); }));
  CHECK(added_id(first.get_future().get()) == added_id(second.get_future().get()));
  CHECK(entries(*bob).size() == 1);
}

TEST_CASE("keyed updates, deletes and drops sent twice answer what they answered first",
          "[idempotency]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  const EntryId id = added_id(call_keyed(*bob, dentist(), {1, 1}));

  EntryChange rename;
  rename.title = "Dentist at 9";
  const ListResult updated = call_keyed(*bob, UpdateEntry{id, rename}, {2, 1});
  REQUIRE(updated.ok());
  // Changed since: the retry still answers the entry as the update left it.
  EntryChange done;
  done.done = true;
  REQUIRE(call(*bob, UpdateEntry{id, done}).ok());
  const ListResult again = call_keyed(*bob, UpdateEntry{id, rename}, {2, 1});
  REQUIRE(again.ok());
  CHECK(std::get<Entry>(again.value()) == std::get<Entry>(updated.value()));
  CHECK(entries(*bob).at(0).done);

  REQUIRE(call_keyed(*bob, DeleteEntry{id}, {3, 1}).ok());
  // Without the key, deleting it again is refused: it is gone.
  CHECK_FALSE(call(*bob, DeleteEntry{id}).ok());
  CHECK(call_keyed(*bob, DeleteEntry{id}, {3, 1}).ok());

  added_id(call(*bob, dentist()));
  const ListResult dropped = call_keyed(*bob, DropList{}, {4, 1});
  REQUIRE(dropped.ok());
  CHECK(std::holds_alternative<std::monostate>(dropped.value()));
  const ListResult dropped_again = call_keyed(*bob, DropList{}, {4, 1});
  REQUIRE(dropped_again.ok());
  // Not "nothing to drop": the answer of the first.
  CHECK(std::holds_alternative<std::monostate>(dropped_again.value()));
  // The drop kept the keys: an add sent again after it is not applied again.
  CHECK(added_id(call_keyed(*bob, dentist(), {1, 1})) == id);
  CHECK(entries(*bob).empty());
}

TEST_CASE("a key is refused with another change, and on a read", "[idempotency]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  added_id(call_keyed(*bob, dentist(), {5, 5}));

  const ListResult other = call_keyed(*bob, AddEntry{day("2026-12-02"), "Movies"}, {5, 5});
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == StatusCode::invalid_argument);
  CHECK_THAT(other.error().message, Catch::Contains("came before with another change"));
  const ListResult read = call_keyed(*bob, GetEntries{}, {6, 6});
  REQUIRE_FALSE(read.ok());
  CHECK_THAT(read.error().message, Catch::Contains("only with a change"));
  CHECK(entries(*bob).size() == 1);
}

TEST_CASE("a key is remembered across a restart, with its list's entries", "[idempotency]") {
  testing::TempDir dir;
  const IdempotencyKey key{8, 9};
  EntryId first = 0;
  {
    auto system = start_system(dir.path());
    auto bob = system->cache().server_process("bob");
    first = added_id(call_keyed(*bob, dentist(), key));
    // A drop of a list that held nothing writes its key alone.
    CHECK(std::holds_alternative<NothingToDrop>(
        call_keyed(*system->cache().server_process("empty"), DropList{}, {10, 10}).value()));
  }
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  CHECK(added_id(call_keyed(*bob, dentist(), key)) == first);
  CHECK(entries(*bob).size() == 1);
  // Nothing stored but its key: the list still answers the drop as it did.
  auto empty = system->cache().server_process("empty");
  CHECK(std::holds_alternative<NothingToDrop>(call_keyed(*empty, DropList{}, {10, 10}).value()));
  CHECK_FALSE(system->database().has_list("empty").value());
}

TEST_CASE("past the bound, the oldest key is forgotten and its change is applied again",
          "[idempotency]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  auto bob = system->cache().server_process("bob");
  const std::size_t count = RememberedChanges::kMaxRemembered + 1;
  // Pipelined, so that they go in few groups.
  std::vector<std::promise<ListResult>> adds(count);
  for (std::size_t i = 0; i < count; ++i) {
    REQUIRE(bob->send(dentist(), IdempotencyKey{0, i},
                      [&adds, i](ListResult r) { adds[i].set_value(std::move(r)); }));
  }
  for (auto& add : adds) REQUIRE(add.get_future().get().ok());
  REQUIRE(entries(*bob).size() == count);
  const std::size_t bytes = bob->list_bytes();
  CHECK(bytes > RememberedChanges::kMaxRemembered * sizeof(RememberedChange));

  // The newest is remembered; the first was pushed out by the last.
  CHECK(added_id(call_keyed(*bob, dentist(), IdempotencyKey{0, count - 1})) == count);
  CHECK(added_id(call_keyed(*bob, dentist(), IdempotencyKey{0, 0})) == count + 1);
  CHECK(entries(*bob).size() == count + 1);

  // On disk too: the bound holds after a restart, in the same keys.
  bob.reset();
  system.reset();
  system = start_system(dir.path());
  bob = system->cache().server_process("bob");
  CHECK(added_id(call_keyed(*bob, dentist(), IdempotencyKey{0, 0})) == count + 1);
  CHECK(added_id(call_keyed(*bob, dentist(), IdempotencyKey{0, 1})) == count + 2);
  CHECK(system->database().load_remembered_changes("bob").value().size() ==
        RememberedChanges::kMaxRemembered);
}

TEST_CASE("a keyed add writes its key in the same batch, and forgets the oldest past the bound",
          "[idempotency]") {
  std::vector<RememberedChange> full;
  for (std::uint64_t i = 0; i < RememberedChanges::kMaxRemembered; ++i) {
    full.push_back({{0, i}, i + 1, unix_now_ms(), 0, EntryId{1}});
  }
  RememberedChanges remembered(std::move(full));
  {
    List list("bob");
    ListMutations mutations("bob", list);
    remembered.remember({0, 5000}, 0, EntryId{2}, unix_now_ms(), mutations);
    const std::vector<StorageMutation> written = std::move(mutations).finish(list);
    REQUIRE(written.size() == 2);
    CHECK(written[0].kind == StorageMutation::Kind::erase);
    CHECK(written[0].key == StorageLayout::remembered_key("bob", {0, 0}));
    CHECK(written[1].key == StorageLayout::remembered_key("bob", {0, 5000}));
    CHECK(decode_remembered_change(written[1].value).value().sequence ==
          RememberedChanges::kMaxRemembered + 1);
  }
  CHECK(remembered.size() == RememberedChanges::kMaxRemembered);
  CHECK(remembered.find({0, 0}, unix_now_ms()) == nullptr);
  CHECK(remembered.find({0, 5000}, unix_now_ms()) != nullptr);
  // Past the window, a key is not honoured, and is forgotten with the next.
  const std::int64_t later = unix_now_ms() + RememberedChanges::kWindow.count() + 1;
  CHECK(remembered.find({0, 5000}, later) == nullptr);
  List list("bob");
  ListMutations mutations("bob", list);
  remembered.remember({0, 6000}, 0, std::monostate{}, later, mutations);
  CHECK(std::move(mutations).finish(list).size() == RememberedChanges::kMaxRemembered + 1);
  CHECK(remembered.size() == 1);
}

}  // namespace
}  // namespace todo
