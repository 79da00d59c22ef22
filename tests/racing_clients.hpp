// Clients on threads of their own racing requests at one System's lists,
// for the tests of what retires actors while requests arrive (idle expiry,
// the memory limit): each thread sends requests to random lists "list-N",
// an add but every third a read, pausing now and then; then every request
// must be answered exactly once, ok, and no id handed out twice in a list.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/date.hpp"
#include "daemon/cache.hpp"
#include "daemon/system.hpp"

namespace todo::testing {

struct RacingClients {
  int threads = 4;
  int requests_per_thread = 300;
  int lists = 10;
};

// pause(random) is how long a client waits after a request (mostly zero).
// Returns the ids acknowledged, by list number.
template <class Pause>
std::map<int, std::set<EntryId>> race_clients(System& system, const RacingClients& shape, Date when,
                                              Pause pause) {
  struct Answer {
    std::promise<ListResult> result;
    std::atomic<int> times{0};
  };
  std::vector<std::vector<std::shared_ptr<Answer>>> answers(shape.threads);
  std::vector<std::vector<int>> list_of(shape.threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < shape.threads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t) + 1);
      for (int i = 0; i < shape.requests_per_thread; ++i) {
        const int list = static_cast<int>(random() % shape.lists);
        auto answer = std::make_shared<Answer>();
        answers[t].push_back(answer);
        list_of[t].push_back(list);
        ListOperation operation = AddEntry{when, "t" + std::to_string(t) + "-" + std::to_string(i)};
        if (i % 3 == 0) operation = GetEntries{};
        system.cache().send("list-" + std::to_string(list), std::move(operation),
                            [answer](ListResult r) {
                              if (answer->times.fetch_add(1) == 0) {
                                answer->result.set_value(std::move(r));
                              }
                            });
        const auto wait = pause(random);
        if (wait.count() > 0) std::this_thread::sleep_for(wait);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::map<int, std::set<EntryId>> acknowledged;
  for (int t = 0; t < shape.threads; ++t) {
    for (int i = 0; i < shape.requests_per_thread; ++i) {
      auto future = answers[t][i]->result.get_future();
      REQUIRE(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
      ListResult result = future.get();
      REQUIRE(result.ok());
      if (i % 3 != 0) {
        // Each id handed out once per list: a request answered by two actors
        // would show up as a duplicate id or a lost entry.
        CHECK(acknowledged[list_of[t][i]].insert(std::get<EntryId>(result.value())).second);
      }
    }
  }
  for (int t = 0; t < shape.threads; ++t) {
    for (const auto& answer : answers[t]) CHECK(answer->times.load() == 1);
  }
  return acknowledged;
}

}  // namespace todo::testing
