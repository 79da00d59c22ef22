// Idle expiry: a thread that retires list actors with no request for the idle
// timeout, so that memory follows the lists in use, not every list ever used.
// The next request for a retired list starts a fresh actor that loads it from
// disk (Cache::send).
//
// Time is kept in ticks, kTicksPerTimeout to a timeout: each tick advances
// ServerContext::idle_clock and sweeps the Cache, and an actor retires once
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
#include <thread>

namespace todo {

class Cache;
struct ServerContext;

class IdleReaper {
 public:
  static constexpr std::uint32_t kTicksPerTimeout = 8;

  // REQUIRES: idle_timeout > 0; cache and context outlive the reaper.
  IdleReaper(Cache& cache, ServerContext& context, std::chrono::milliseconds idle_timeout);
  IdleReaper(const IdleReaper&) = delete;
  IdleReaper& operator=(const IdleReaper&) = delete;
  ~IdleReaper();

 private:
  void run();

  Cache& cache_;
  ServerContext& context_;
  const std::chrono::microseconds tick_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool is_stopping_ = false;  // guarded by mutex_
  std::thread thread_;        // last: starts after everything it uses exists
};

}  // namespace todo
