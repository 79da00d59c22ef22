// todo-loadtest: the load test of the Elixir original, in process. Creates N
// lists through Cache::server_process, then looks each up again, and reports
// the time per create, per lookup, and the resident memory the lists take.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <random>
#include <vector>

#include "bench/bench_support.hpp"
#include "common/resident_memory.hpp"
#include "daemon/cache.hpp"
#include "daemon/server.hpp"
#include "daemon/system.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Names as the Elixir load test makes them ("cache_123"), built in a reused
// buffer so the figure is the cache's cost, not the allocator's.
template <class Visit>
void for_each_name(std::size_t count, Visit visit) {
  char buffer[32] = "cache_";
  constexpr std::size_t kPrefix = 6;
  for (std::size_t i = 0; i < count; ++i) {
    const auto [end, error] = std::to_chars(buffer + kPrefix, buffer + sizeof buffer, i);
    visit(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
  }
}

// Nanoseconds per load when each load depends on the one before and all land
// at random in `bytes` of memory: the floor under a lookup that must read one
// random slot of a table that size, measured on this machine in this run.
double random_access_ns(std::size_t bytes) {
  const std::size_t count = std::max<std::size_t>(bytes / sizeof(std::size_t), 2);
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin() + 1, order.end(), std::mt19937_64(42));
  std::vector<std::size_t> next(count);
  for (std::size_t i = 0; i < count; ++i) next[order[i]] = order[(i + 1) % count];
  constexpr std::size_t kLoads = 2'000'000;
  std::size_t position = 0;
  const auto start = Clock::now();
  for (std::size_t i = 0; i < kLoads; ++i) position = next[position];
  const auto elapsed = Clock::now() - start;
  // Keeps the chain from being optimised away.
  if (position == count) std::puts("");
  return std::chrono::duration<double, std::nano>(elapsed).count() / kLoads;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Creates N list actors through the Cache, then looks each up again."};
  std::size_t list_count = 1'000'000;
  std::string data_dir;
  bool as_json = false;
  app.add_option("--lists", list_count, "how many lists to create")->check(CLI::PositiveNumber);
  app.add_option("--data-dir", data_dir, "data directory (default: a fresh temporary one)");
  app.add_flag("--json", as_json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);

  todo::bench::ScratchDirectory directory(data_dir);
  auto started = todo::System::start(
      {.database = {.data_dir = directory.path()}, .idle_timeout = std::chrono::milliseconds(0)});
  if (!started) {
    std::cerr << "todo-loadtest: " << started.error().message << "\n";
    return 1;
  }
  auto system = std::move(started).value();
  todo::Cache& cache = system->cache();
  const std::uint64_t resident_before = todo::resident_bytes();

  const auto create_start = Clock::now();
  for_each_name(list_count, [&](std::string_view name) { cache.server_process(name); });
  const auto create_end = Clock::now();
  const std::uint64_t resident_after = todo::resident_bytes();

  std::size_t found = 0;
  const auto lookup_start = Clock::now();
  for_each_name(list_count, [&](std::string_view name) {
    found += cache.server_process(name) != nullptr ? 1 : 0;
  });
  const auto lookup_end = Clock::now();
  if (found != list_count || cache.size() != list_count) {
    std::cerr << "todo-loadtest: expected " << list_count << " lists, the cache holds "
              << cache.size() << "\n";
    return 1;
  }

  const auto micros = [&](Clock::duration d) {
    return std::chrono::duration<double, std::micro>(d).count() / static_cast<double>(list_count);
  };
  const double create_us = micros(create_end - create_start);
  const double lookup_us = micros(lookup_end - lookup_start);
  const double lists_mb = static_cast<double>(resident_after - resident_before) / 1e6;
  const double total_mb = static_cast<double>(resident_after) / 1e6;
  // A working set of 32 bytes a list: the cache's index and actor vectors
  // (8-byte slots at most 3/4 full, 16-byte shared_ptrs) and then some.
  const double floor_ns = random_access_ns(list_count * 32);
  const double bytes_per_list =
      static_cast<double>(resident_after - resident_before) / static_cast<double>(list_count);
  if (as_json) {
    std::printf(
        "{\"lists\": %zu, \"create_us\": %.3f, \"lookup_us\": %.3f, \"resident_mb\": %.1f, "
        "\"lists_mb\": %.1f, \"bytes_per_list\": %.0f, \"random_access_ns\": %.1f}\n",
        list_count, create_us, lookup_us, total_mb, lists_mb, bytes_per_list, floor_ns);
  } else {
    std::printf("lists:           %zu\n", list_count);
    std::printf("create:          %.3f us per list\n", create_us);
    std::printf("lookup:          %.3f us per list\n", lookup_us);
    std::printf("resident memory: %.1f MB in all, %.1f MB for the lists (%.0f bytes each)\n",
                total_mb, lists_mb, bytes_per_list);
    std::printf(
        "random access:   %.3f us per dependent load in %.0f MB (the floor under a lookup)\n",
        floor_ns / 1000, static_cast<double>(list_count * 32) / 1e6);
  }
  return 0;
}
