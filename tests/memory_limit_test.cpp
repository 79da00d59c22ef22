// What bounds the lists in memory besides the idle timeout: a read of a list
// with nothing stored leaves no actor behind, and past --max-memory the least
// recently used idle lists leave early, while a list with a request queued or
// a write in flight never does and every acknowledged change stays. In
// process on a real System and RocksDB, and through the real todod.
#include "daemon/memory_limit.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/cache.hpp"
#include "daemon/idle_reaper.hpp"
#include "daemon/system.hpp"
#include "daemon/system_counters.hpp"
#include "racing_clients.hpp"
#include "running_daemon.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;
using testing::DaemonPlace;
using testing::Output;
using testing::ping_field;
using testing::run_todo;
using testing::RunningDaemon;

std::unique_ptr<System> start_system(const SystemOptions& options) {
  auto system = System::start(options);
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

// Waits up to 10 s for condition to hold.
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// One request through Cache::send, waited for.
ListResult call(System& system, const std::string& name, ListOperation operation) {
  std::promise<ListResult> answer;
  system.cache().send(name, std::move(operation),
                      [&](ListResult r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

// count adds with titles of 200 bytes, each waited for; the ids acknowledged.
std::vector<EntryId> fill(System& system, const std::string& name, int count) {
  std::vector<EntryId> ids;
  for (int i = 0; i < count; ++i) {
    ListResult added = call(
        system, name,
        AddEntry{testing::day("2026-12-02"), std::string(196, 'x') + std::to_string(1000 + i)});
    if (!added) FAIL(added.error().message);
    ids.push_back(std::get<EntryId>(added.value()));
  }
  return ids;
}

std::uint64_t estimate(System& system) {
  return static_cast<std::uint64_t>(system.counters().list_memory_bytes.load());
}

// The ping counter field, from `todo --json ping`.
std::uint64_t ping_counter(const std::string& endpoint, const std::string& field) {
  return ping_field(testing::run_todo_ok(endpoint, {"--json", "ping"}), field);
}

}  // namespace

TEST_CASE("reads of 20,000 lists with nothing stored leave no actor behind", "[memory]") {
  testing::TempDir dir;
  // The default idle timeout, 10 minutes: none of this is idle expiry.
  auto system = start_system({.database = {.data_dir = dir.path()}, .thread_count = 2});
  REQUIRE(call(*system, "somebody", AddEntry{testing::day("2026-12-02"), "stored"}).ok());

  constexpr int kLists = 20'000;
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < kLists; ++i) {
    system->cache().send("nobody-" + std::to_string(i), GetEntries{}, [&](ListResult result) {
      if (!result || !testing::entries_read(result).empty()) failed.fetch_add(1);
      answered.fetch_add(1);
    });
  }
  REQUIRE(eventually([&] { return answered.load() == kLists; }));
  CHECK(failed.load() == 0);
  // The actor leaves at the end of the turn that answered: just after.
  CHECK(eventually([&] { return system->cache().size() == 1; }));
  CHECK(system->cache().has_server("somebody"));
  CHECK(system->counters().lists_expired.load() == 0);
  // A list that was read and never written reads the same the next time.
  CHECK(testing::entries_read(call(*system, "nobody-7", GetEntries{})).empty());
}

TEST_CASE("todod: reads of 20,000 lists nobody wrote leave none in memory", "[memory]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint(), {"--no-sync"});
  std::string reads;
  for (int i = 0; i < 20'000; ++i) reads += "entries nobody-" + std::to_string(i) + "\n";
  const Output output = run_todo(place.endpoint(), {"batch"}, reads);
  INFO(output.err);
  REQUIRE(output.exit_code == 0);
  CHECK(eventually([&] { return ping_counter(place.endpoint(), "lists_in_memory") == 0; }));
}

TEST_CASE("past the memory limit the least recently used idle lists leave first", "[memory]") {
  testing::TempDir dir;
  constexpr std::uint64_t kLimit = 1 << 20;
  // Lists never expire: only the limit makes them leave.
  auto system = start_system({.database = {.data_dir = dir.path()},
                              .thread_count = 2,
                              .idle_timeout = 0ms,
                              .max_memory_bytes = kLimit});
  // Each list is about 6 KB of estimate: 100 of them are 0.6 of the limit.
  constexpr int kLists = 100;
  constexpr int kEntries = 20;
  std::map<std::string, std::vector<EntryId>> acknowledged;
  for (int i = 0; i < kLists; ++i) {
    acknowledged["old-" + std::to_string(i)] = fill(*system, "old-" + std::to_string(i), kEntries);
  }
  REQUIRE(estimate(*system) < kLimit);
  // Three ticks of the idle clock: the old lists are now less recent than
  // any list used from here on.
  std::this_thread::sleep_for(3 * IdleReaper::kMaxTick);
  CHECK(system->counters().lists_evicted.load() == 0);
  for (int i = 0; i < kLists; ++i) {
    acknowledged["new-" + std::to_string(i)] = fill(*system, "new-" + std::to_string(i), kEntries);
  }
  REQUIRE(eventually([&] { return system->counters().lists_evicted.load() > 0; }));
  CHECK(eventually([&] { return estimate(*system) <= kLimit; }));

  int old_in_memory = 0;
  for (int i = 0; i < kLists; ++i) {
    if (system->cache().has_server("old-" + std::to_string(i))) ++old_in_memory;
    // The new lists were used last: enough of the old ones could go.
    CHECK(system->cache().has_server("new-" + std::to_string(i)));
  }
  CHECK(old_in_memory < kLists);
  CHECK(kLists - old_in_memory == static_cast<int>(system->counters().lists_evicted.load()));
  // Every acknowledged entry is there, loaded back from disk.
  for (const auto& [name, ids] : acknowledged) {
    std::vector<EntryId> stored;
    for (const Entry& entry : testing::entries_read(call(*system, name, GetEntries{}))) {
      stored.push_back(entry.id);
    }
    CHECK(stored == ids);
  }
}

TEST_CASE("eviction racing writes loses no acknowledged change and answers each once", "[memory]") {
  // A limit no list fits under: at every tick, every list idle for a tick
  // leaves, while four clients add to and read the same lists, pausing now
  // and then for more than a tick, with fsyncs keeping writes in flight.
  constexpr int kThreads = 4;
  constexpr int kRequestsPerThread = 300;
  constexpr int kLists = 10;
  testing::TempDir dir;
  auto system = start_system({.database = {.data_dir = dir.path(), .durability = Durability::sync},
                              .thread_count = 2,
                              .idle_timeout = 0ms,
                              .max_memory_bytes = 1});
  const auto acknowledged = testing::race_clients(
      *system, {.threads = kThreads, .requests_per_thread = kRequestsPerThread, .lists = kLists},
      testing::day("2026-12-02"), [](std::mt19937& random) {
        return std::chrono::milliseconds(random() % 16 == 0 ? random() % 150 : 0);
      });
  CHECK(eventually([&] { return system->cache().size() == 0; }));
  CHECK(system->counters().lists_evicted.load() > kLists);
  for (const auto& [list, ids] : acknowledged) {
    std::set<EntryId> stored;
    for (const Entry& entry :
         testing::entries_read(call(*system, "list-" + std::to_string(list), GetEntries{}))) {
      stored.insert(entry.id);
    }
    CHECK(stored == ids);
  }
}

TEST_CASE("todod --max-memory: lists with data leave early and keep every entry", "[memory]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint(), {"--no-sync", "--max-memory", "1MiB"});
  // 600 lists of 10 entries of 200 bytes: about 2 MiB of estimate.
  constexpr int kLists = 600;
  std::string adds;
  for (int entry = 0; entry < 10; ++entry) {
    for (int list = 0; list < kLists; ++list) {
      adds += "add list-" + std::to_string(list) + " 2026-12-02 " + std::string(190, 'y') +
              std::to_string(entry) + "\n";
    }
  }
  const Output added = run_todo(place.endpoint(), {"batch"}, adds);
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  REQUIRE(testing::acknowledged_adds(added.out) == 10 * kLists);
  // About 3.3 KB a list: 1 MiB holds some 300 of them.
  CHECK(eventually([&] { return ping_counter(place.endpoint(), "lists_in_memory") < 400; }));
  CHECK(ping_counter(place.endpoint(), "lists_expired") > 0);

  std::string reads;
  for (int list = 0; list < kLists; ++list) reads += "entries list-" + std::to_string(list) + "\n";
  const Output read = run_todo(place.endpoint(), {"batch"}, reads);
  REQUIRE(read.exit_code == 0);
  std::istringstream lines(read.out);
  int lists_read = 0;
  for (std::string line; std::getline(lines, line); ++lists_read) {
    INFO("list-" << lists_read << ": " << line.substr(0, 200));
    CHECK(testing::count_of(line, " [ ] ") == 10);
  }
  CHECK(lists_read == kLists);
}

TEST_CASE("the cgroup limit is the lowest set on the way up, with v2 or v1", "[memory]") {
  testing::TempDir root;
  const auto write = [&](const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text << "\n";
  };
  write(root.path() / "system.slice/memory.max", "8589934592");
  write(root.path() / "system.slice/todod.service/memory.max", "max");
  write(root.path() / "user.slice/memory.max", "max");
  CHECK(cgroup_memory_limit(root.path(), "0::/system.slice/todod.service\n") == 8589934592);
  CHECK(cgroup_memory_limit(root.path(), "0::/user.slice\n") == 0);
  CHECK(cgroup_memory_limit(root.path(), "0::/nowhere\n") == 0);
  CHECK(cgroup_memory_limit(root.path(), "0::/system.slice/../user.slice\n") == 0);
  CHECK(cgroup_memory_limit(root.path(), "") == 0);
  // v1: the memory controller's own hierarchy; "unlimited" is a huge number,
  // which the physical memory then caps.
  write(root.path() / "memory/box/memory.limit_in_bytes", "1073741824");
  write(root.path() / "memory/memory.limit_in_bytes", "9223372036854771712");
  CHECK(cgroup_memory_limit(root.path(), "4:memory:/box\n1:cpu:/\n0::/user.slice\n") == 1073741824);
  CHECK(available_memory_bytes() > 0);
  CHECK(default_max_memory_bytes() == available_memory_bytes() / kDefaultMaxMemoryDivisor);
}

TEST_CASE("todod --help documents --max-memory", "[memory]") {
  testing::ChildProcess help(testing::kTododPath, {"--help"});
  const Output output = help.finish("", 10s);
  CHECK(output.exit_code == 0);
  CHECK_THAT(output.out, Catch::Contains("--max-memory"));
}

}  // namespace todo
