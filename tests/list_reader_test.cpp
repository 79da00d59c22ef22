// The read half of the metadata rule (list_reader.hpp): the list restored from
// what is stored, and the two halves together through a real RocksDB.
#include "daemon/storage/list_reader.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "daemon/storage/list_mutations.hpp"
#include "day.hpp"
#include "rejection.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using testing::day;
using testing::rejection;

Entry entry(EntryId id) { return Entry{id, day("2018-12-19"), "entry " + std::to_string(id)}; }

TEST_CASE("the next id is the larger of the stored one and the last entry's + 1", "[list_reader]") {
  // Adds to a list that holds entries do not rewrite its metadata.
  CHECK(restore_list("bob", ListMeta{2, 1}, {entry(1), entry(2), entry(5)}, 1).value().next_id() ==
        6);
  // A delete of the newest entry leaves the stored next id the larger.
  CHECK(restore_list("bob", ListMeta{9, 2}, {entry(1), entry(2)}, 1).value().next_id() == 9);
  // An emptied list keeps its next id, so an id never names two entries.
  CHECK(restore_list("bob", ListMeta{9, 0}, {}, 1).value().next_id() == 9);
}

TEST_CASE("the next id is at least the id floor, after a log loss was accepted", "[list_reader]") {
  CHECK(restore_list("bob", ListMeta{2, 1}, {entry(1), entry(5)}, 4000).value().next_id() == 4000);
  CHECK(restore_list("bob", ListMeta{9, 0}, {}, 4000).value().next_id() == 4000);
  // A list the lost part of the log created does not start again from 1.
  CHECK(restore_list("bob", std::nullopt, {}, 4000).value().next_id() == 4000);
  // A floor below what is stored changes nothing.
  CHECK(restore_list("bob", ListMeta{2, 1}, {entry(1), entry(5)}, 3).value().next_id() == 6);
}

TEST_CASE("no metadata and no entries is an empty list", "[list_reader]") {
  const List list = restore_list("bob", std::nullopt, {}, 1).value();
  CHECK(list.size() == 0);
  CHECK(list.next_id() == 1);
}

TEST_CASE("metadata that disagrees with the entries on emptiness is corrupt", "[list_reader]") {
  CHECK(rejection(restore_list("bob", std::nullopt, {entry(1)}, 1)) ==
        "internal error: stored list 'bob' is corrupt: entries without list metadata");
  CHECK(rejection(restore_list("bob", ListMeta{3, 0}, {entry(1)}, 1)) ==
        "internal error: stored list 'bob' is corrupt: metadata counts 0 entries, 1 are stored");
  CHECK(rejection(restore_list("bob", ListMeta{3, 2}, {}, 1)) ==
        "internal error: stored list 'bob' is corrupt: metadata counts 2 entries, 0 are stored");
  // The count beyond emptiness is not kept up by adds: any non-zero count will do.
  CHECK(rejection(restore_list("bob", ListMeta{3, 1}, {entry(1), entry(2)}, 1)) == "accepted");
}

class Store {
 public:
  Store() {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir_.path().string(), &db).ok());
    db_.reset(db);
  }

  // Applies one group's changes to what is stored under the list's name, as a
  // Server's turn and a DatabaseWorker do.
  template <class Change>
  void change(Change&& change) {
    List list = read();
    ListMutations mutations("bob", list);
    change(list, mutations);
    const std::vector<StorageMutation> written = std::move(mutations).finish(list);
    rocksdb::WriteBatch batch;
    add_to_batch(written, batch);
    REQUIRE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  }

  List read() {
    auto list = read_list(*db_, "bob", dir_.path(), 1);
    REQUIRE(list.ok());
    return std::move(list).value();
  }

  std::vector<std::string> names() { return read_list_names(*db_, dir_.path(), "", 1000).value(); }

 private:
  testing::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

void add(List& list, ListMutations& mutations, const std::string& title) {
  const EntryId id = list.add_entry(day("2018-12-20"), title).value();
  mutations.put_entry(*list.find_entry(id));
}

TEST_CASE("what the mutations write reads back as the list that made them", "[list_reader]") {
  Store store;
  store.change([](List& list, ListMutations& m) {
    add(list, m, "Dentist");
    add(list, m, "Gym");
  });
  store.change([](List& list, ListMutations& m) { add(list, m, "Shop"); });
  List read = store.read();
  REQUIRE(read.size() == 3);
  CHECK(read.entries()[2].title == "Shop");
  CHECK(read.next_id() == 4);
  CHECK(store.names() == std::vector<std::string>{"bob"});

  // The newest entry deleted: its id is not handed out again.
  store.change([](List& list, ListMutations& m) {
    REQUIRE(list.delete_entry(3).ok());
    m.erase_entry(3);
  });
  read = store.read();
  CHECK(read.size() == 2);
  CHECK(read.next_id() == 4);

  // Dropped: gone from the names, and the next id stays.
  store.change([](List& list, ListMutations& m) {
    m.erase_all_entries(list);
    list = List::restore("bob", list.next_id(), {}).value();
  });
  read = store.read();
  CHECK(read.size() == 0);
  CHECK(read.next_id() == 4);
  CHECK(store.names().empty());
  store.change([](List& list, ListMutations& m) { add(list, m, "Again"); });
  CHECK(store.read().entries()[0].id == 4);
  CHECK(store.names() == std::vector<std::string>{"bob"});
}

}  // namespace
}  // namespace todo
