// Faults of the disk under a running engine, injected by a RocksDB FileSystem
// that fails writes on demand (failing_file_system.hpp): the data directory
// turning read-only, and a burst of failing writes under concurrent adds. In
// each, changes answer an error, reads go on, writes work again once the
// fault is gone without a restart, and what is stored is exactly what was
// acknowledged. And a failed fsync, after which changes wait for a restart
// (rocksdb_instance.hpp says why) and the restart finds every acknowledged
// change. Real System, real RocksDB on a temporary directory.
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/date.hpp"
#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/storage/rocksdb_instance.hpp"
#include "daemon/system.hpp"
#include "failing_file_system.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;
using testing::FailingFileSystem;

std::unique_ptr<System> start_system(const std::filesystem::path& dir, rocksdb::Env* env) {
  auto system = System::start(
      {.database = {.data_dir = dir, .env = env}, .thread_count = 2, .idle_timeout = 0ms});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

// One request through the Cache, and its answer; throws if the answer does
// not come within 30 s or comes twice. (Not Catch's FAIL: clients call this
// on threads of their own.)
ListResult call(System& system, const std::string& list, ListOperation operation) {
  struct Answer {
    std::promise<ListResult> result;
    std::atomic<int> times{0};
  };
  auto answer = std::make_shared<Answer>();
  system.cache().send(list, std::move(operation), [answer](ListResult result) {
    if (answer->times.fetch_add(1) == 0) answer->result.set_value(std::move(result));
  });
  auto future = answer->result.get_future();
  if (future.wait_for(30s) != std::future_status::ready) {
    throw std::runtime_error("no answer from '" + list + "'");
  }
  ListResult result = future.get();
  // A second answer would come on the actor's turn right after the first.
  std::this_thread::yield();
  if (answer->times.load() != 1) {
    throw std::runtime_error("'" + list + "' answered " + std::to_string(answer->times) + " times");
  }
  return result;
}

// Not testing::day(): clients add on threads of their own, and it asserts.
ListResult add(System& system, const std::string& list, const std::string& title) {
  static const Date kDay = Date::parse("2026-11-27").value();
  return call(system, list, AddEntry{kDay, title});
}

std::vector<std::string> titles(System& system, const std::string& list) {
  ListResult result = call(system, list, GetEntries{});
  if (!result) FAIL("reading '" << list << "': " << result.error().message);
  std::vector<std::string> titles;
  for (const Entry& entry : testing::entries_read(result)) {
    titles.push_back(entry.title);
  }
  return titles;
}

// What a client knows of one list: entries certainly there (acknowledged,
// not removed since), and titles that may or may not be (a refused change
// can still reach disk when only its fsync failed).
struct ListModel {
  std::map<std::string, EntryId> present;
  std::set<std::string> maybe;
  EntryId highest_id = 0;
};

EntryId added_id(const ListResult& result) {
  if (!result) FAIL(result.error().message);
  return std::get<EntryId>(result.value());
}

}  // namespace

TEST_CASE("no read shows a change whose write failed, though the list was read and cached",
          "[disk]") {
  testing::TempDir dir;
  auto file_system = std::make_shared<FailingFileSystem>();
  auto env = testing::env_over(file_system);
  auto system = start_system(dir.path(), env.get());
  added_id(add(*system, "cached", "k1"));
  REQUIRE(titles(*system, "cached") == std::vector<std::string>{"k1"});  // encoded and kept

  file_system->fail_next_appends(1);
  // The read is sent right behind the add, to be answered in its group when
  // the actor takes them together: from the list as the add left it, which
  // the failed write then takes back.
  std::promise<ListResult> added;
  std::promise<ListResult> read;
  system->cache().send("cached", AddEntry{Date::parse("2026-11-27").value(), "lost"},
                       [&](ListResult r) { added.set_value(std::move(r)); });
  system->cache().send("cached", GetEntries{}, [&](ListResult r) { read.set_value(std::move(r)); });
  REQUIRE_FALSE(added.get_future().get().ok());
  const std::vector<Entry> read_in_group = testing::entries_read(read.get_future().get());
  REQUIRE(read_in_group.size() == 1);
  CHECK(read_in_group.front().title == "k1");
  CHECK(titles(*system, "cached") == std::vector<std::string>{"k1"});
}

TEST_CASE(
    "a data directory turning read-only refuses changes, keeps reads, and writes come back "
    "without a restart",
    "[disk]") {
  testing::TempDir dir;
  {
    // Stored before the fault, so that it is first loaded while the disk refuses writes.
    auto system = start_system(dir.path(), nullptr);
    for (const char* title : {"c1", "c2", "c3"}) added_id(add(*system, "cold", title));
  }
  auto file_system = std::make_shared<FailingFileSystem>();
  auto env = testing::env_over(file_system);
  auto system = start_system(dir.path(), env.get());
  for (const char* title : {"k1", "k2", "k3"}) added_id(add(*system, "kept", title));

  file_system->set_read_only(true);
  // Over several reopen intervals, so that reopening is tried and fails.
  const auto fault_ends = std::chrono::steady_clock::now() + 3 * RocksDbInstance::kReopenInterval;
  int refused = 0;
  while (std::chrono::steady_clock::now() < fault_ends) {
    for (const char* list : {"kept", "fresh"}) {
      const ListResult result = add(*system, list, "refused");
      REQUIRE_FALSE(result);
      CHECK(result.error().code == StatusCode::internal);
      CHECK_THAT(result.error().message,
                 Catch::Contains("Read-only file system") || Catch::Contains("unavailable"));
      ++refused;
    }
    std::this_thread::sleep_for(50ms);
  }
  CHECK(refused >= 10);
  CHECK(file_system->failures() > 0);
  CHECK(titles(*system, "kept") == std::vector<std::string>{"k1", "k2", "k3"});
  CHECK(titles(*system, "cold") == std::vector<std::string>{"c1", "c2", "c3"});
  CHECK(titles(*system, "fresh").empty());

  file_system->set_read_only(false);
  const std::uint64_t reopens_before = system->database().reopen_count();
  ListResult back = add(*system, "kept", "k4");
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !back && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(20ms);
    back = add(*system, "kept", "k4");
  }
  REQUIRE(back);
  // No id went to a refused add.
  CHECK(added_id(back) == 4);
  CHECK(system->database().reopen_count() > reopens_before);
  CHECK(added_id(add(*system, "fresh", "f1")) == 1);
  CHECK(added_id(add(*system, "cold", "c4")) == 4);
  system.reset();

  auto plain = start_system(dir.path(), nullptr);
  CHECK(titles(*plain, "kept") == std::vector<std::string>{"k1", "k2", "k3", "k4"});
  CHECK(titles(*plain, "cold") == std::vector<std::string>{"c1", "c2", "c3", "c4"});
  CHECK(titles(*plain, "fresh") == std::vector<std::string>{"f1"});
}

TEST_CASE(
    "failing writes under concurrent adds: each add answered once, the failed ones "
    "reported, writes come back, stored equals acknowledged",
    "[disk][supervision]") {
  testing::TempDir dir;
  auto file_system = std::make_shared<FailingFileSystem>();
  auto env = testing::env_over(file_system);
  auto system = start_system(dir.path(), env.get());

  constexpr int kThreads = 4;
  constexpr int kListsPerThread = 5;
  std::atomic<bool> is_stopping{false};
  std::atomic<bool> is_injected{false};
  std::atomic<int> acknowledged_after_fault{0};
  // Per thread: list name -> titles acknowledged; and the count refused.
  std::vector<std::map<std::string, std::set<std::string>>> acknowledged(kThreads);
  std::vector<int> refused(kThreads, 0);
  // Asserted on this thread: Catch's assertions are not thread-safe.
  std::vector<std::vector<std::string>> unexpected_errors(kThreads);
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      try {
        for (int n = 0; !is_stopping.load(); ++n) {
          const std::string list =
              "list-" + std::to_string(t) + "-" + std::to_string(n % kListsPerThread);
          const std::string title = "t" + std::to_string(t) + "-" + std::to_string(n);
          const bool was_injected = is_injected.load();
          const ListResult result = add(*system, list, title);
          if (result) {
            acknowledged[t][list].insert(title);
            if (was_injected && refused[t] > 0) acknowledged_after_fault.fetch_add(1);
          } else {
            const std::string& message = result.error().message;
            // The fault, or a change computed before the reopen that followed it.
            if (message.find("injected fault") == std::string::npos &&
                message.find("unavailable") == std::string::npos &&
                message.find("was reopened") == std::string::npos) {
              unexpected_errors[t].push_back(message);
            }
            ++refused[t];
            std::this_thread::sleep_for(1ms);
          }
        }
      } catch (const std::exception& e) {
        unexpected_errors[t].push_back(e.what());
      }
    });
  }
  std::this_thread::sleep_for(200ms);
  file_system->fail_next_appends(2);
  is_injected.store(true);
  // Until every client has seen writes fail and then work again, up to 20 s.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (acknowledged_after_fault.load() < 50 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  is_stopping.store(true);
  for (std::thread& client : clients) client.join();

  int refused_in_all = 0;
  for (int t = 0; t < kThreads; ++t) {
    refused_in_all += refused[t];
    CHECK(unexpected_errors[t].empty());
  }
  CHECK(file_system->failures() >= 1);
  CHECK(refused_in_all > 0);
  CHECK(acknowledged_after_fault.load() >= 50);
  system.reset();

  auto plain = start_system(dir.path(), nullptr);
  for (int t = 0; t < kThreads; ++t) {
    for (int l = 0; l < kListsPerThread; ++l) {
      const std::string list = "list-" + std::to_string(t) + "-" + std::to_string(l);
      const std::vector<std::string> stored = titles(*plain, list);
      const std::set<std::string> stored_once(stored.begin(), stored.end());
      INFO(list);
      CHECK(stored.size() == stored_once.size());
      CHECK(stored_once == acknowledged[t][list]);
    }
  }
}

TEST_CASE(
    "an fsync failing under adds, deletes and drops: changes refused until a restart, reads go "
    "on; after it every list loads, with everything acknowledged and nothing never sent",
    "[disk][supervision]") {
  testing::TempDir dir;
  auto file_system = std::make_shared<FailingFileSystem>();
  auto env = testing::env_over(file_system);
  auto system = start_system(dir.path(), env.get());

  constexpr int kThreads = 4;
  constexpr int kListsPerThread = 3;
  std::atomic<bool> is_stopping{false};
  std::vector<std::map<std::string, ListModel>> models(kThreads);
  // Read by this thread while the clients run: atomic.
  std::array<std::atomic<int>, kThreads> refused{};
  std::vector<std::vector<std::string>> unexpected_errors(kThreads);
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      try {
        for (int n = 0; !is_stopping.load(); ++n) {
          const std::string list =
              "list-" + std::to_string(t) + "-" + std::to_string(random() % kListsPerThread);
          ListModel& model = models[t][list];
          const unsigned dice = random() % 100;
          ListResult result = Error::internal("not sent");
          if (dice < 15 && !model.present.empty()) {
            auto victim = model.present.begin();
            std::advance(victim, random() % model.present.size());
            const auto [title, id] = *victim;
            result = call(*system, list, DeleteEntry{id});
            if (result) {
              model.present.erase(title);
            } else {
              model.present.erase(title);
              model.maybe.insert(title);
            }
          } else if (dice == 15) {
            result = call(*system, list, DropList{});
            if (result) {
              model.present.clear();
              model.maybe.clear();
            } else {
              for (const auto& [title, id] : model.present) model.maybe.insert(title);
              model.present.clear();
            }
          } else {
            const std::string title = "t" + std::to_string(t) + "-" + std::to_string(n);
            result = add(*system, list, title);
            if (result) {
              const EntryId id = std::get<EntryId>(result.value());
              model.present[title] = id;
              model.highest_id = std::max(model.highest_id, id);
            } else {
              model.maybe.insert(title);
            }
          }
          if (!result) {
            const std::string& message = result.error().message;
            if (message.find("injected fault") == std::string::npos) {
              unexpected_errors[t].push_back(message);
            }
            ++refused[t];
          }
        }
      } catch (const std::exception& e) {
        unexpected_errors[t].push_back(e.what());
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  file_system->fail_next_syncs(1);
  // Every client's changes are refused from then on: wait until each has seen
  // that, up to 20 s.
  const auto refusing_since = std::chrono::steady_clock::now();
  std::array<int, kThreads> refused_at_fault{};
  for (int t = 0; t < kThreads; ++t) refused_at_fault[t] = refused[t].load();
  for (bool all_refused = false; !all_refused;) {
    std::this_thread::sleep_for(50ms);
    REQUIRE(std::chrono::steady_clock::now() - refusing_since < 20s);
    all_refused = true;
    for (int t = 0; t < kThreads; ++t) {
      all_refused = all_refused && refused[t].load() > refused_at_fault[t] + 5;
    }
  }
  is_stopping.store(true);
  for (std::thread& client : clients) client.join();
  for (int t = 0; t < kThreads; ++t) {
    INFO("client " << t << ": " << (unexpected_errors[t].empty() ? "" : unexpected_errors[t][0]));
    CHECK(unexpected_errors[t].empty());
  }
  // Still refused, with the reason; and reads go on.
  const ListResult refused_add = add(*system, "list-0-0", "after the fsync failed");
  REQUIRE_FALSE(refused_add);
  CHECK_THAT(refused_add.error().message,
             Catch::Contains("until todod restarts") && Catch::Contains("While fdatasync"));
  CHECK(call(*system, "list-0-0", GetEntries{}));
  int refused_in_all = 0;
  for (const auto& count : refused) refused_in_all += count.load();
  CHECK(refused_in_all > 0);
  CHECK(file_system->failures() == 1);
  system.reset();

  auto plain = start_system(dir.path(), nullptr);
  for (int t = 0; t < kThreads; ++t) {
    for (auto& [list, model] : models[t]) {
      INFO(list);
      const ListResult stored = call(*plain, list, GetEntries{});
      REQUIRE(stored);  // not corrupt
      std::set<std::string> stored_titles;
      for (const Entry& entry : testing::entries_read(stored)) {
        stored_titles.insert(entry.title);
        const auto acknowledged = model.present.find(entry.title);
        if (acknowledged != model.present.end()) {
          CHECK(entry.id == acknowledged->second);
        } else {
          CHECK(model.maybe.count(entry.title) == 1);
        }
      }
      for (const auto& [title, id] : model.present) CHECK(stored_titles.count(title) == 1);
      CHECK(added_id(add(*plain, list, "after")) > model.highest_id);
    }
  }
}

// Writes to "a" until a reopen has failed to open anything at all, not even
// read-only, which shows in the load of a list not yet in memory; up to 10 s.
void fail_until_nothing_is_open(System& system) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    REQUIRE_FALSE(add(system, "a", "refused"));
    const auto loaded = system.database().load_list("unloaded");
    if (!loaded && loaded.error().message.find("unavailable") != std::string::npos) return;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
}

TEST_CASE("with nothing open, reads and writes come back by themselves once the fault ends",
          "[disk]") {
  testing::TempDir dir;
  auto file_system = std::make_shared<FailingFileSystem>();
  auto env = testing::env_over(file_system);
  auto system = start_system(dir.path(), env.get());
  added_id(add(*system, "a", "before"));

  file_system->set_read_only(true);
  file_system->set_unopenable(true);
  fail_until_nothing_is_open(*system);
  file_system->set_unopenable(false);
  file_system->set_read_only(false);

  // No request may be what reopens it: the reads below do not write, and
  // reads are what failed for good when only a write tried a reopen.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  auto loaded = system->database().load_list("unloaded");
  while (!loaded && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
    loaded = system->database().load_list("unloaded");
  }
  INFO((loaded ? "" : loaded.error().message));
  REQUIRE(loaded);
  CHECK(added_id(add(*system, "a", "after")) == 2);
  CHECK(titles(*system, "a") == std::vector<std::string>{"before", "after"});
}

TEST_CASE("with nothing open past max_unavailable, the database says so, once", "[disk]") {
  testing::TempDir dir;
  auto file_system = std::make_shared<FailingFileSystem>();
  auto env = testing::env_over(file_system);
  std::atomic<int> reports{0};
  std::mutex report_mutex;
  std::string report;
  auto started = System::start({.database = {.data_dir = dir.path(),
                                             .env = env.get(),
                                             .max_unavailable = 1s,
                                             .on_unavailable =
                                                 [&](const std::string& why) {
                                                   std::lock_guard lock(report_mutex);
                                                   report = why;
                                                   reports.fetch_add(1);
                                                 }},
                                .thread_count = 2,
                                .idle_timeout = 0ms});
  REQUIRE(started);
  auto system = std::move(started).value();

  file_system->set_read_only(true);
  file_system->set_unopenable(true);
  fail_until_nothing_is_open(*system);
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (reports.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(reports.load() == 1);
  {
    std::lock_guard lock(report_mutex);
    CHECK_THAT(report, Catch::Contains("could not be opened for 1000 ms") &&
                           Catch::Contains("Too many open files"));
  }
  std::this_thread::sleep_for(1500ms);
  CHECK(reports.load() == 1);
  file_system->set_unopenable(false);
  file_system->set_read_only(false);
}

}  // namespace todo
