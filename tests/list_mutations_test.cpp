// The write half of the metadata rule (list_mutations.hpp): which keys a group
// of changes to one list writes. The read half, and the two together through
// a real RocksDB, are in list_reader_test.cpp.
#include "daemon/storage/list_mutations.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/codec.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "day.hpp"

namespace todo {
namespace {

using testing::day;

// One mutation as text: its kind and key, and the metadata it stores.
std::string describe(const StorageMutation& mutation) {
  switch (mutation.kind) {
    case StorageMutation::Kind::erase:
      if (const auto key = StorageLayout::idempotency_key_of(
              mutation.key, StorageLayout::remembered_prefix("bob").size());
          key && mutation.key.starts_with(StorageLayout::remembered_prefix("bob"))) {
        return "forget " + std::to_string(key->low);
      }
      return "erase " + mutation.key;
    case StorageMutation::Kind::erase_range:
      return "erase [" + mutation.key + ", " + mutation.value + ")";
    case StorageMutation::Kind::put:
      break;
  }
  if (mutation.key.starts_with(StorageLayout::remembered_prefix("bob"))) {
    const auto key = StorageLayout::idempotency_key_of(
        mutation.key, StorageLayout::remembered_prefix("bob").size());
    REQUIRE(key);
    return "remember " + std::to_string(key->low) + " seq " +
           std::to_string(decode_remembered_change(mutation.value).value().sequence);
  }
  if (mutation.key == StorageLayout::meta_key("bob")) {
    const ListMeta meta = decode_list_meta(mutation.value).value();
    return "meta next " + std::to_string(meta.next_id) + " count " +
           std::to_string(meta.entry_count);
  }
  const Entry entry = decode_entry(mutation.value).value();
  REQUIRE(mutation.key == StorageLayout::entry_key("bob", entry.id));
  return "put " + std::to_string(entry.id) + " " + entry.title;
}

std::vector<std::string> describe(const std::vector<StorageMutation>& mutations) {
  std::vector<std::string> described;
  for (const auto& mutation : mutations) described.push_back(describe(mutation));
  return described;
}

List list_of(int entries) {
  List list("bob");
  for (int i = 1; i <= entries; ++i) {
    REQUIRE(list.add_entry(day("2018-12-19"), "entry " + std::to_string(i)).ok());
  }
  return list;
}

// What one group that runs change on the list writes.
template <class Change>
std::vector<std::string> written_by(List list, Change&& change) {
  ListMutations mutations("bob", list);
  change(list, mutations);
  return describe(std::move(mutations).finish(list));
}

void add(List& list, ListMutations& mutations, const std::string& title) {
  const EntryId id = list.add_entry(day("2018-12-20"), title).value();
  mutations.put_entry(*list.find_entry(id));
}

TEST_CASE("a remembered change is a key of its own; forgetting one erases it", "[list_mutations]") {
  CHECK(written_by(list_of(1), [](List& list, ListMutations& mutations) {
          add(list, mutations, "keyed");
          mutations.remember({{0, 9}, 4, 0, 0, EntryId{2}});
          mutations.forget({0, 3});
        }) == std::vector<std::string>{"put 2 keyed", "remember 9 seq 4", "forget 3"});
  // A drop of a list that held nothing, with a key: the key alone, no metadata.
  CHECK(written_by(List("bob"), [](List& list, ListMutations& mutations) {
          mutations.erase_all_entries(list);
          mutations.remember({{0, 1}, 1, 0, 0, NothingToDrop{}});
        }) == std::vector<std::string>{"remember 1 seq 1"});
}

TEST_CASE("an add to a list that holds entries writes the entry alone", "[list_mutations]") {
  CHECK(written_by(list_of(2), [](List& list, ListMutations& m) { add(list, m, "Gym"); }) ==
        std::vector<std::string>{"put 3 Gym"});
}

TEST_CASE("an update writes the entry alone", "[list_mutations]") {
  const auto written = written_by(list_of(2), [](List& list, ListMutations& m) {
    REQUIRE(list.update_entry(1, EntryChange{std::nullopt, "Dentist", true}).ok());
    m.put_entry(*list.find_entry(1));
  });
  CHECK(written == std::vector<std::string>{"put 1 Dentist"});
}

TEST_CASE("the first entry of a list writes its metadata too", "[list_mutations]") {
  const auto written = written_by(list_of(0), [](List& list, ListMutations& m) {
    add(list, m, "Gym");
    add(list, m, "Shop");
  });
  CHECK(written == std::vector<std::string>{"put 1 Gym", "put 2 Shop", "meta next 3 count 2"});
}

TEST_CASE("a delete writes the erase and the metadata, which keeps the next id",
          "[list_mutations]") {
  const auto written = written_by(list_of(3), [](List& list, ListMutations& m) {
    REQUIRE(list.delete_entry(3).ok());
    m.erase_entry(3);
  });
  CHECK(written == std::vector<std::string>{"erase " + StorageLayout::entry_key("bob", 3),
                                            "meta next 4 count 2"});
}

// The drop of a whole list, as Server::apply does it.
void drop(List& list, ListMutations& mutations) {
  mutations.erase_all_entries(list);
  list = List::restore("bob", list.next_id(), {}).value();
}

TEST_CASE("a drop of a small list erases its entry keys one by one and writes the metadata",
          "[list_mutations]") {
  CHECK(written_by(list_of(3), drop) ==
        std::vector<std::string>{"erase " + StorageLayout::entry_key("bob", 1),
                                 "erase " + StorageLayout::entry_key("bob", 2),
                                 "erase " + StorageLayout::entry_key("bob", 3),
                                 "meta next 4 count 0"});
  const auto at_the_bound =
      written_by(list_of(static_cast<int>(ListMutations::kMaxPointErasesPerDrop)), drop);
  CHECK(at_the_bound.size() == ListMutations::kMaxPointErasesPerDrop + 1);
  CHECK(at_the_bound.front() == "erase " + StorageLayout::entry_key("bob", 1));
}

TEST_CASE("a drop of a large list erases its entry keys as one range", "[list_mutations]") {
  const int entries = static_cast<int>(ListMutations::kMaxPointErasesPerDrop) + 1;
  CHECK(written_by(list_of(entries), drop) ==
        std::vector<std::string>{"erase [" + StorageLayout::entry_prefix("bob") + ", " +
                                     StorageLayout::entry_prefix_end("bob") + ")",
                                 "meta next " + std::to_string(entries + 1) + " count 0"});
}

TEST_CASE("a drop of a list that holds nothing writes nothing", "[list_mutations]") {
  CHECK(written_by(list_of(0), drop).empty());
  // Emptied before: the delete that emptied it wrote the next id already.
  List emptied = list_of(1);
  REQUIRE(emptied.delete_entry(1).ok());
  CHECK(written_by(emptied, drop).empty());
}

TEST_CASE("a drop after an add in the same group erases the added entry", "[list_mutations]") {
  const auto written = written_by(list_of(0), [](List& list, ListMutations& m) {
    add(list, m, "Gym");
    drop(list, m);
  });
  CHECK(written == std::vector<std::string>{"put 1 Gym",
                                            "erase " + StorageLayout::entry_key("bob", 1),
                                            "meta next 2 count 0"});
}

TEST_CASE("a group that changes nothing writes nothing, not even metadata", "[list_mutations]") {
  CHECK(written_by(list_of(0), [](List&, ListMutations&) {}).empty());
  CHECK(written_by(list_of(2), [](List& list, ListMutations&) {
          CHECK_FALSE(list.delete_entry(7).ok());
        }).empty());
}

}  // namespace
}  // namespace todo
