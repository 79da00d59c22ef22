// Many drops (issue 14, item 5): every drop used to write a range deletion,
// also for a list that never held anything, and RocksDB 7.8 sorts all the
// range deletions in its memtable again on the first read after a new one, so
// every drop made the next load slower. Here: a drop of a list that holds
// nothing writes nothing, a small list's drop erases its keys one by one, and
// range deletions are flushed out of the memtable before they pile up.
// Nothing is timed: what is counted is what was written.
#include <rocksdb/db.h>
#include <rocksdb/table_properties.h>
#include <rocksdb/write_batch.h>

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "common/protocol.hpp"
#include "daemon/storage/list_mutations.hpp"
#include "daemon/storage/rocksdb_instance.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "running_daemon.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using testing::count_of;
using testing::DaemonPlace;
using testing::ping_field;
using testing::run_todo;
using testing::run_todo_ok;
using testing::RunningDaemon;
using testing::TempDir;

// Enough that each drop writing a range deletion, as before, shows at once,
// and few enough to take a second or two.
constexpr int kDrops = 5000;

std::unique_ptr<rocksdb::DB> open_read_only(const std::filesystem::path& dir) {
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly({}, dir.string(), &raw).ok());
  return std::unique_ptr<rocksdb::DB>(raw);
}

// The range deletions in every table file (todod flushes its memtables when
// it stops, so after a clean stop that is all of them).
std::uint64_t range_deletions_on_disk(rocksdb::DB& db) {
  rocksdb::TablePropertiesCollection tables;
  REQUIRE(db.GetPropertiesOfAllTables(&tables).ok());
  std::uint64_t count = 0;
  for (const auto& [file, properties] : tables) count += properties->num_range_deletions;
  return count;
}

// The names of the lists that have a metadata key.
std::vector<std::string> lists_with_metadata(rocksdb::DB& db) {
  std::vector<std::string> names;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator({}));
  const std::string first(1, StorageLayout::kMetaTag);
  for (it->Seek(first); it->Valid() && it->key().starts_with(first); it->Next()) {
    names.emplace_back(StorageLayout::list_name_of_meta_key(it->key().ToStringView()));
  }
  REQUIRE(it->status().ok());
  return names;
}

// The reply todod sends to a drop, read off the wire: todo prints "ok"
// whatever the message of an ok reply says.
Reply drop_on_the_wire(const std::string& endpoint, const std::string& list) {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(endpoint);
  const std::string request = encode_request(Request{1, ListCommand{list, DropList{}}});
  REQUIRE(socket.send(zmq::buffer(request), zmq::send_flags::none));
  std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
  zmq::poll(items, std::chrono::seconds(10));
  zmq::message_t message;
  REQUIRE(socket.recv(message, zmq::recv_flags::dontwait));
  auto reply = decode_reply(message.to_string_view());
  REQUIRE(reply.ok());
  return std::move(reply).value();
}

}  // namespace

TEST_CASE("a drop's reply says when the list held nothing", "[drops]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  run_todo_ok(daemon.endpoint(), {"add", "held", "2026-12-02", "something"});
  const Reply empty = drop_on_the_wire(daemon.endpoint(), "never-used");
  CHECK(empty.status == StatusCode::ok);
  CHECK(empty.message == kNothingToDropMessage);
  CHECK(std::holds_alternative<std::monostate>(empty.payload));
  const Reply held = drop_on_the_wire(daemon.endpoint(), "held");
  CHECK(held.status == StatusCode::ok);
  CHECK(held.message.empty());
  // todo says so, and exits 1: a mistyped name is not reported dropped.
  const auto nothing = run_todo(daemon.endpoint(), {"drop", "never-used", "--yes"});
  CHECK(nothing.exit_code == 1);
  CHECK(nothing.out.empty());
  CHECK(nothing.err == "todo: nothing to drop: list 'never-used' holds no entry\n");
  run_todo_ok(daemon.endpoint(), {"add", "held", "2026-12-02", "again"});
  CHECK(run_todo_ok(daemon.endpoint(), {"drop", "held", "--yes"}) == "ok\n");
}

TEST_CASE("drops of lists that hold nothing write nothing", "[drops]") {
  DaemonPlace place;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    run_todo_ok(daemon.endpoint(), {"add", "kept", "2026-12-02", "stays"});
    run_todo_ok(daemon.endpoint(), {"add", "emptied", "2026-12-02", "goes"});
    run_todo_ok(daemon.endpoint(), {"delete", "emptied", "1"});
    const std::uint64_t writes_before =
        ping_field(run_todo_ok(daemon.endpoint(), {"--json", "ping"}), "database_writes");

    std::ostringstream drops;
    for (int i = 0; i < kDrops; ++i) drops << "drop never-used-" << i << " --yes\n";
    drops << "drop emptied --yes\n";
    const auto batch = run_todo(daemon.endpoint(), {"batch"}, drops.str());
    CHECK(batch.exit_code == 1);
    CHECK(count_of(batch.out, " holds no entry\n") == kDrops + 1);

    // Not one write reached the database worker for them.
    CHECK(ping_field(run_todo_ok(daemon.endpoint(), {"--json", "ping"}), "database_writes") ==
          writes_before);
    CHECK(run_todo_ok(daemon.endpoint(), {"lists"}) == "kept\n");
    REQUIRE(daemon.stop() == 0);
  }
  {
    const auto db = open_read_only(place.data_dir());
    CHECK(range_deletions_on_disk(*db) == 0);
    // No metadata for a list that never held an entry: `lists` reads every
    // metadata key, so each would slow it.
    CHECK(lists_with_metadata(*db) == std::vector<std::string>{"emptied", "kept"});
  }
  // After a restart: the emptied list still does not reuse its id.
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  CHECK_THAT(run_todo_ok(daemon.endpoint(), {"entries", "kept"}), Catch::Contains("stays"));
  CHECK(run_todo_ok(daemon.endpoint(), {"add", "emptied", "2026-12-03", "again"}) == "2\n");
  CHECK(run_todo_ok(daemon.endpoint(), {"add", "never-used-7", "2026-12-03", "first"}) == "1\n");
}

TEST_CASE("drops of small and large lists leave them empty after a restart, ids not reused",
          "[drops]") {
  const int large = static_cast<int>(ListMutations::kMaxPointErasesPerDrop) + 1;
  DaemonPlace place;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    std::ostringstream adds;
    for (int i = 0; i < 3; ++i) adds << "add small 2026-12-02 entry " << i << "\n";
    for (int i = 0; i < large; ++i) adds << "add large 2026-12-02 entry " << i << "\n";
    REQUIRE(run_todo(daemon.endpoint(), {"batch"}, adds.str()).exit_code == 0);
    run_todo_ok(daemon.endpoint(), {"drop", "small", "--yes"});
    run_todo_ok(daemon.endpoint(), {"drop", "large", "--yes"});
    REQUIRE(daemon.stop() == 0);
  }
  {
    // The small list's drop erased its keys one by one; the large one's is the range.
    const auto db = open_read_only(place.data_dir());
    CHECK(range_deletions_on_disk(*db) == 1);
  }
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  CHECK(run_todo_ok(daemon.endpoint(), {"entries", "small"}).empty());
  CHECK(run_todo_ok(daemon.endpoint(), {"entries", "large"}).empty());
  CHECK(run_todo_ok(daemon.endpoint(), {"lists"}).empty());
  CHECK(run_todo_ok(daemon.endpoint(), {"add", "small", "2026-12-03", "again"}) == "4\n");
  CHECK(run_todo_ok(daemon.endpoint(), {"add", "large", "2026-12-03", "again"}) ==
        std::to_string(large + 1) + "\n");
}

TEST_CASE("range deletions are flushed out of the memtable before they pile up", "[drops]") {
  TempDir dir;
  auto opened = RocksDbInstance::open(dir.path(), nullptr, RocksDbInstance::WalLoss::refuse, {});
  REQUIRE(opened.ok());
  RocksDbInstance& instance = *opened.value();
  const auto property = [&](const std::string& name) {
    return instance
        .with_db([&](rocksdb::DB& db) -> Result<std::uint64_t> {
          std::uint64_t value = 0;
          if (!db.GetIntProperty(name, &value)) return Error::internal("no property " + name);
          return value;
        })
        .value();
  };
  std::uint64_t most = 0;
  for (std::uint64_t i = 0; i < 3 * RocksDbInstance::kMaxRangeDeletesInMemtable; ++i) {
    // Two drops of large lists in one group commit, as a worker writes them.
    rocksdb::WriteBatch batch;
    for (const std::string& name : {"a-" + std::to_string(i), "b-" + std::to_string(i)}) {
      REQUIRE(
          batch
              .DeleteRange(StorageLayout::entry_prefix(name), StorageLayout::entry_prefix_end(name))
              .ok());
    }
    REQUIRE(instance.write(batch, false, instance.generation()).ok());
    // A flush is not asked for while the one before is being written; the
    // loop writes faster than any list is dropped, so it lets each finish.
    while (property(rocksdb::DB::Properties::kNumImmutableMemTable) > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // RocksDB counts a range deletion as an entry of the memtable it went to.
    most = std::max(most, property(rocksdb::DB::Properties::kNumEntriesActiveMemTable));
  }
  CHECK(most <= RocksDbInstance::kMaxRangeDeletesInMemtable);
}

}  // namespace todo
