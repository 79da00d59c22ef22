// todo-add-cost: what one add costs on an empty list and on a list of 10,000
// entries, through a real Server and the real Database, in both durability
// modes. Each sample times one add; an untimed delete of that entry follows, so
// every sample meets a list of exactly the size under test.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>

#include "bench/bench_support.hpp"
#include "daemon/cache.hpp"
#include "daemon/server.hpp"
#include "daemon/system.hpp"

namespace {

using Clock = std::chrono::steady_clock;

todo::ListResult call(todo::Server& server, todo::ListOperation operation) {
  std::promise<todo::ListResult> promise;
  auto reply = promise.get_future();
  // No IdleReaper runs here (idle_timeout 0): the actor never retires.
  if (!server.send(std::move(operation),
                   [&promise](todo::ListResult result) { promise.set_value(std::move(result)); })) {
    throw std::logic_error("the benchmark's list actor retired");
  }
  return reply.get();
}

const todo::Date kDate = todo::Date::parse("2026-11-27").value();

void fill(todo::Server& server, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    if (!call(server, todo::AddEntry{kDate, "filler entry number " + std::to_string(i)})) {
      throw std::runtime_error("filling the list failed");
    }
  }
}

// Microseconds for one add; the entry is deleted again, untimed.
double timed_add(todo::Server& server) {
  const auto start = Clock::now();
  auto added = call(server, todo::AddEntry{kDate, "a timed entry of some thirty bytes"});
  const double micros = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  if (!added) throw std::runtime_error("add failed: " + added.error().message);
  if (!call(server, todo::DeleteEntry{std::get<todo::EntryId>(added.value())})) {
    throw std::runtime_error("delete failed");
  }
  return micros;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Median cost of one add on an empty list and on a large list."};
  std::size_t large_size = 10'000;
  std::size_t samples = 1000;
  bool as_json = false;
  app.add_option("--large", large_size, "entries in the large list");
  app.add_option("--samples", samples, "timed adds per case")->check(CLI::PositiveNumber);
  app.add_flag("--json", as_json, "print one JSON object per durability mode");
  CLI11_PARSE(app, argc, argv);

  for (const todo::Durability durability : {todo::Durability::no_sync, todo::Durability::sync}) {
    todo::bench::ScratchDirectory directory("");
    auto started =
        todo::System::start({.database = {.data_dir = directory.path(), .durability = durability},
                             .idle_timeout = std::chrono::milliseconds(0)});
    if (!started) {
      std::cerr << "todo-add-cost: " << started.error().message << "\n";
      return 1;
    }
    auto& system = *started.value();
    auto empty = system.cache().server_process("empty");
    auto large = system.cache().server_process("large");
    if (!call(*empty, todo::GetEntries{})) throw std::runtime_error("cannot load a list");
    fill(*large, large_size);
    // The two cases take turns, so drift in the machine's speed (other load,
    // compactions, the page cache) falls on both alike.
    std::vector<double> empty_samples, large_samples;
    for (std::size_t i = 0; i < samples; ++i) {
      empty_samples.push_back(timed_add(*empty));
      large_samples.push_back(timed_add(*large));
    }
    const double empty_us = todo::bench::median(empty_samples);
    const double large_us = todo::bench::median(large_samples);
    const double ratio = large_us / empty_us;
    const std::string mode(todo::to_string(durability));
    if (as_json) {
      std::printf(
          "{\"durability\": \"%s\", \"samples\": %zu, \"empty_us\": %.1f, \"large_entries\": %zu, "
          "\"large_us\": %.1f, \"ratio\": %.2f}\n",
          mode.c_str(), samples, empty_us, large_size, large_us, ratio);
    } else {
      std::printf("%-8s add to empty list: %8.1f us   to %zu-entry list: %8.1f us   ratio %.2f\n",
                  mode.c_str(), empty_us, large_size, large_us, ratio);
    }
  }
  return 0;
}
