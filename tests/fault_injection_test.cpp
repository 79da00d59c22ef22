// Faults injected into a running todod: stored bytes that do not decode, and
// more requests than the daemon takes at once. In each, the daemon answers
// with a clear error, keeps serving every other list and loses nothing it
// acknowledged; ping counts what happened.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "daemon/server.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::count_of;
using testing::DaemonPlace;
using testing::ping_field;
using testing::run_todo;
using testing::run_todo_ok;
using testing::RunningDaemon;

}  // namespace

TEST_CASE("a corrupt stored list fails its requests, is logged once, and nothing else stops",
          "[supervision]") {
  DaemonPlace place;
  {
    RunningDaemon daemon(place.data_dir(), place.endpoint());
    run_todo_ok(daemon.endpoint(), {"add", "broken", "2026-11-27", "first"});
    run_todo_ok(daemon.endpoint(), {"add", "healthy", "2026-11-27", "fine"});
    REQUIRE(daemon.stop() == 0);
  }
  {
    // Bytes no version of the codec wrote, under the entry's own key.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open({}, place.data_dir().string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put({}, StorageLayout::entry_key("broken", 1), "\xff\xfe garbage").ok());
  }
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto read = run_todo(daemon.endpoint(), {"entries", "broken"});
    CHECK(read.exit_code == 1);
    CHECK_THAT(read.err, Catch::Contains("'broken'") && Catch::Contains("corrupt"));
    const auto add = run_todo(daemon.endpoint(), {"add", "broken", "2026-11-28", "second"});
    CHECK(add.exit_code == 1);
  }
  CHECK_THAT(run_todo_ok(daemon.endpoint(), {"entries", "healthy"}), Catch::Contains("fine"));
  // 100 requests more, so that ping has a p99 to tell.
  std::string reads;
  for (int i = 0; i < 100; ++i) reads += "entries healthy\n";
  CHECK(run_todo(daemon.endpoint(), {"batch"}, reads).exit_code == 0);
  const std::string ping = run_todo_ok(daemon.endpoint(), {"--json", "ping"});
  CHECK(ping_field(ping, "errors") == 6);
  // Each request read memory or the disk: some microseconds at least.
  CHECK(ping_field(ping, "p99_latency_us") > 0);
  REQUIRE(daemon.stop() == 0);
  const std::string log =
      daemon.process().read_stderr_until("todod stopped", std::chrono::seconds(5));
  CHECK(count_of(log, "'broken'") == 1);

  // The failed add changed nothing: the stored bytes are still the ones put there.
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly({}, place.data_dir().string(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  REQUIRE(db->Get({}, StorageLayout::entry_key("broken", 1), &value).ok());
  CHECK(value == "\xff\xfe garbage");
  CHECK(db->Get({}, StorageLayout::entry_key("broken", 2), &value).IsNotFound());
}

TEST_CASE("past --max-requests-in-progress, requests are answered busy and nothing is lost",
          "[backpressure]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint(), {"--max-requests-in-progress", "1"});
  // todo batch pipelines up to 1,024 requests: with room for one at a time
  // and an fsync per write, most find the daemon full.
  constexpr int kAdds = 3000;
  std::ostringstream input;
  for (int i = 0; i < kAdds; ++i) input << "add pressed 2026-11-27 item-" << i << "\n";
  const auto batch = run_todo(daemon.endpoint(), {"batch"}, input.str());
  CHECK(batch.exit_code == 1);
  const std::size_t refused = count_of(batch.out, "todod is overloaded");
  const std::size_t acknowledged = testing::acknowledged_adds(batch.out);
  CHECK(refused > 0);
  CHECK(acknowledged + refused == kAdds);

  const std::string stored = run_todo_ok(daemon.endpoint(), {"entries", "pressed"});
  CHECK(count_of(stored, "\n") == acknowledged);
  const std::string ping = run_todo_ok(daemon.endpoint(), {"--json", "ping"});
  CHECK(ping_field(ping, "busy_refusals") == refused);
  CHECK(ping_field(ping, "errors") == refused);
  CHECK(ping_field(ping, "database_writes") >= acknowledged / Server::kMaxGroupSize);
  CHECK(ping_field(ping, "database_batches") >= 1);
  CHECK(ping_field(ping, "resident_bytes") > 1'000'000);
  CHECK(ping_field(ping, "lists_in_memory") == 1);
}

TEST_CASE("pages of list names are admitted like every request, off the I/O thread",
          "[backpressure]") {
  DaemonPlace place;
  {
    RunningDaemon filling(place.data_dir(), place.endpoint());
    std::ostringstream adds;
    for (int i = 0; i < 2000; ++i) adds << "add list-" << i << " 2026-12-02 x\n";
    REQUIRE(run_todo(filling.endpoint(), {"batch"}, adds.str()).exit_code == 0);
    REQUIRE(filling.stop() == 0);
  }
  RunningDaemon daemon(place.data_dir(), place.endpoint(), {"--max-requests-in-progress", "1"});

  // Each page reads 1,000 names on a pool thread; pipelined, most find the
  // one request in progress there already.
  constexpr int kPages = 300;
  std::ostringstream pages;
  for (int i = 0; i < kPages; ++i) pages << "lists --limit 1000\n";
  const auto batch = run_todo(daemon.endpoint(), {"batch"}, pages.str());
  const std::size_t refused = count_of(batch.out, "todod is overloaded");
  const std::size_t answered = count_of(batch.out, "list-0; ");
  CHECK(refused > 0);
  CHECK(answered > 0);
  CHECK(refused + answered == kPages);
  CHECK(ping_field(run_todo_ok(daemon.endpoint(), {"--json", "ping"}), "busy_refusals") == refused);
}

}  // namespace todo
