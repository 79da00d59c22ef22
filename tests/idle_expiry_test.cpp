// Idle expiry: actors leave memory after the idle timeout and come back from
// disk, and no request is lost or answered twice when expiry races with new
// requests. Real System, real RocksDB, a tiny timeout.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "daemon/cache.hpp"
#include "daemon/system.hpp"
#include "daemon/system_counters.hpp"
#include "racing_clients.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<System> start_system(const std::filesystem::path& dir,
                                     std::chrono::milliseconds idle_timeout,
                                     Durability durability = Durability::no_sync) {
  auto system = System::start({.database = {.data_dir = dir, .durability = durability},
                               .thread_count = 2,
                               .idle_timeout = idle_timeout});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

// Waits up to 10 s for the Cache to hold at most `count` actors.
bool wait_for_cache_size(System& system, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (system.cache().size() > count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// All entries of a list, through Cache::send: with a timeout of milliseconds an
// actor from server_process() may retire before a request reaches it.
std::vector<Entry> entries_of(System& system, const std::string& name) {
  std::promise<ListResult> read;
  system.cache().send(name, GetEntries{}, [&](ListResult r) { read.set_value(std::move(r)); });
  ListResult result = read.get_future().get();
  if (!result) FAIL(result.error().message);
  return testing::entries_read(result);
}

// An answer, or a note that it came twice: collected on worker threads and
// asserted on the test's own.
struct Answer {
  std::promise<ListResult> result;
  std::atomic<int> times{0};
};

}  // namespace

TEST_CASE("an idle list leaves memory and comes back from disk", "[idle_expiry]") {
  testing::TempDir dir;
  auto system = start_system(dir.path(), 50ms);
  const Date when = testing::day("2026-11-27");
  auto list = system->cache().server_process("groceries");
  REQUIRE(testing::add(*list, "2026-11-27", "milk") == 1);
  REQUIRE(testing::add(*list, "2026-11-27", "bread") == 2);
  list.reset();

  REQUIRE(wait_for_cache_size(*system, 0));
  CHECK(system->counters().lists_expired.load() == 1);

  std::promise<ListResult> read;
  system->cache().send("groceries", GetEntries{},
                       [&](ListResult r) { read.set_value(std::move(r)); });
  auto entries = read.get_future().get();
  REQUIRE(entries.ok());
  REQUIRE(testing::entries_read(entries).size() == 2);
  CHECK(system->cache().size() == 1);
  std::promise<ListResult> added;
  system->cache().send("groceries", AddEntry{when, "eggs"},
                       [&](ListResult r) { added.set_value(std::move(r)); });
  auto id = added.get_future().get();
  REQUIRE(id.ok());
  // The fresh actor loaded the list's next id: ids are never reused.
  CHECK(std::get<EntryId>(id.value()) == 3);
}

TEST_CASE("a list expiring between one client's requests keeps every change", "[idle_expiry]") {
  testing::TempDir dir;
  auto system = start_system(dir.path(), 1ms);
  // One request at a time with a timeout of 1 ms: the actor may retire
  // between any two, and each next request must find the list as it was.
  const Date when = testing::day("2026-11-27");
  for (int i = 0; i < 200; ++i) {
    std::promise<ListResult> added;
    system->cache().send("steady", AddEntry{when, "n" + std::to_string(i)},
                         [&](ListResult r) { added.set_value(std::move(r)); });
    REQUIRE(added.get_future().get().ok());
  }
  REQUIRE(wait_for_cache_size(*system, 0));
  CHECK(entries_of(*system, "steady").size() == 200);
}

TEST_CASE("expiry racing with requests loses none and answers each once", "[idle_expiry]") {
  // Timeout, pauses and fsyncs of the same order, so that actors become idle
  // between one client's requests while other clients' requests for the same
  // lists arrive, and some have writes in flight when their last request is
  // older than the timeout.
  constexpr int kThreads = 4;
  constexpr int kRequestsPerThread = 1500;
  constexpr int kLists = 20;
  testing::TempDir dir;
  auto system = start_system(dir.path(), 2ms, Durability::sync);
  const auto acknowledged = testing::race_clients(
      *system, {.threads = kThreads, .requests_per_thread = kRequestsPerThread, .lists = kLists},
      testing::day("2026-11-27"), [](std::mt19937& random) {
        return std::chrono::microseconds(random() % 8 == 0 ? random() % 3000 : 0);
      });
  REQUIRE(wait_for_cache_size(*system, 0));
  CHECK(system->counters().lists_expired.load() > kLists);
  for (const auto& [list, ids] : acknowledged) {
    std::set<EntryId> stored;
    for (const Entry& entry : entries_of(*system, "list-" + std::to_string(list))) {
      stored.insert(entry.id);
    }
    CHECK(stored == ids);
  }
}

TEST_CASE("a list's mailbox is bounded: past the bound, busy at once", "[backpressure]") {
  testing::TempDir dir;
  auto system = System::start({.database = {.data_dir = dir.path()}, .thread_count = 2});
  REQUIRE(system);
  // More requests than the bound, sent faster than fsyncs complete: some are
  // refused, every one is answered once, and what was acknowledged is stored.
  constexpr int kRequests = static_cast<int>(Server::kMaxPendingRequests) * 3;
  const Date when = testing::day("2026-11-27");
  std::vector<std::shared_ptr<Answer>> answers;
  for (int i = 0; i < kRequests; ++i) {
    auto answer = std::make_shared<Answer>();
    answers.push_back(answer);
    system.value()->cache().send("flooded", AddEntry{when, "n" + std::to_string(i)},
                                 [answer](ListResult r) {
                                   if (answer->times.fetch_add(1) == 0) {
                                     answer->result.set_value(std::move(r));
                                   }
                                 });
  }
  std::size_t acknowledged = 0;
  std::size_t refused = 0;
  for (auto& answer : answers) {
    auto future = answer->result.get_future();
    REQUIRE(future.wait_for(60s) == std::future_status::ready);
    ListResult result = future.get();
    if (result.ok()) {
      ++acknowledged;
    } else {
      REQUIRE(result.error().code == StatusCode::busy);
      CHECK_THAT(result.error().message, Catch::Contains("'flooded'"));
      ++refused;
    }
  }
  for (const auto& answer : answers) CHECK(answer->times.load() == 1);
  CHECK(refused > 0);
  CHECK(refused == system.value()->counters().busy_refusals.load());
  CHECK(testing::entries(*system.value()->cache().server_process("flooded")).size() ==
        acknowledged);
}

}  // namespace todo
