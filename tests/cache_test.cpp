#include "daemon/cache.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

#include "daemon/server.hpp"
#include "daemon/system.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

std::unique_ptr<System> start_system(const testing::TempDir& dir) {
  auto system = System::start({.database = {.data_dir = dir.path()}, .thread_count = 2});
  REQUIRE(system.ok());
  return std::move(system).value();
}

TEST_CASE("the same name gives the same actor, different names different actors", "[cache]") {
  testing::TempDir dir;
  auto system = start_system(dir);
  Cache& cache = system->cache();

  auto bob = cache.server_process("bob");
  auto alice = cache.server_process("alice");
  REQUIRE(bob != nullptr);
  REQUIRE(alice != nullptr);
  CHECK(bob != alice);
  CHECK(cache.server_process("bob") == bob);
  CHECK(bob->name() == "bob");
  CHECK(alice->name() == "alice");
  CHECK(cache.size() == 2);
}

TEST_CASE("names that share a prefix are different lists", "[cache]") {
  testing::TempDir dir;
  auto system = start_system(dir);
  CHECK(system->cache().server_process("bob") != system->cache().server_process("bobby"));
}

TEST_CASE("16 threads asking for one new name start exactly one actor", "[cache]") {
  testing::TempDir dir;
  auto system = start_system(dir);
  Cache& cache = system->cache();

  for (int round = 0; round < 50; ++round) {
    const std::string name = "contended-" + std::to_string(round);
    std::vector<std::shared_ptr<Server>> seen(16);
    std::atomic<int> waiting{16};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        waiting.fetch_sub(1);
        while (waiting.load() > 0) {
        }
        seen[t] = cache.server_process(name);
      });
    }
    for (auto& thread : threads) thread.join();
    const std::set<Server*> distinct = [&] {
      std::set<Server*> s;
      for (auto& server : seen) s.insert(server.get());
      return s;
    }();
    REQUIRE(distinct.size() == 1);
    REQUIRE(*distinct.begin() != nullptr);
  }
  CHECK(cache.size() == 50);
}

TEST_CASE("many threads creating distinct names all get their own actor", "[cache]") {
  testing::TempDir dir;
  auto system = start_system(dir);
  Cache& cache = system->cache();
  constexpr int kThreads = 8;
  constexpr int kNamesPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kNamesPerThread; ++i) {
        cache.server_process("t" + std::to_string(t) + "-" + std::to_string(i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(cache.size() == kThreads * kNamesPerThread);
  CHECK(cache.server_process("t3-1999")->name() == "t3-1999");
  CHECK(cache.size() == kThreads * kNamesPerThread);
}

}  // namespace
}  // namespace todo
