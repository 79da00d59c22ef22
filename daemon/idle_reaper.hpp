// Idle expiry: a thread that retires list actors with no request for the idle
// timeout, so that memory follows the lists in use, not every list ever used.
// The next request for a retired list starts a fresh actor that loads it from
// disk (Cache::send).
//
// Time is kept in ticks, kTicksPerTimeout to a timeout: each tick advances
// SystemCounters::idle_clock and sweeps the Cache, and an actor retires once
// more than kTicksPerTimeout ticks have passed since its last request, that
// is after between 1 and 1 + 1/kTicksPerTimeout timeouts of idleness.
//
// Thread safety: construct and destroy from one thread; the destructor stops
// and joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <thread>

namespace todo {

class Cache;
struct SystemCounters;

class IdleReaper {
 public:
  static constexpr std::uint32_t kTicksPerTimeout = 8;

  // REQUIRES: idle_timeout > 0; cache and counters outlive the reaper.
  IdleReaper(Cache& cache, SystemCounters& counters, std::chrono::milliseconds idle_timeout);
  IdleReaper(const IdleReaper&) = delete;
  IdleReaper& operator=(const IdleReaper&) = delete;

 private:
  void run(const std::stop_token& stop);

  Cache& cache_;
  SystemCounters& counters_;
  const std::chrono::microseconds tick_;
  // Guards nothing: the wait between ticks needs one, and a stop request ends it.
  std::mutex tick_mutex_;
  std::condition_variable_any tick_wait_;
  // Last: starts after everything it uses exists, and is the first member
  // destroyed, which asks it to stop and joins it.
  std::jthread thread_;
};

}  // namespace todo
