// Idle expiry and the memory limit: a thread that retires list actors with no
// request for the idle timeout, so that memory follows the lists in use, not
// every list ever used, and that retires idle ones earlier, least recently
// used first, while the lists in memory hold more than --max-memory. The next
// request for a retired list starts a fresh actor that loads it from disk
// (Cache::send).
//
// Time is kept in ticks of SystemCounters::idle_clock, which only this thread
// advances: an eighth of the timeout, at most kMaxTick. An actor notes the
// tick of its last request, so the clock is also the order of recency the
// memory limit evicts by, and it must be fine enough for that. At least every
// eighth of the timeout a sweep of the Cache retires the actors idle for more
// ticks than the timeout holds, that is after between 1 and 1 + 1/8 timeouts
// of idleness, and one tick.
//
// The memory limit is checked at every tick, against the estimate the actors
// keep in SystemCounters::list_memory_bytes (Server::list_bytes()): a load of
// one atomic, so checking costs nothing until the limit is reached. The
// estimate, not the process's resident size: RSS also counts what retiring
// actors cannot give back (RocksDB's memtables and block cache, ZeroMQ's
// buffers, pages malloc keeps after a free), so a limit on it could retire
// every idle list and still be over, while the estimate falls by what each
// retired actor held. It leaves out malloc's rounding and what malloc keeps.
// Over the limit, one survey of the Cache sums the idle actors' bytes by how
// long they have been idle, and one retirement (Cache::evict_idle, the idle
// expiry's own path with a shorter idleness) takes the longest idle, down to
// 15/16 of the limit: the slack keeps a load that hovers at the limit from
// paying two sweeps at every tick. Only actors with nothing unanswered (no
// request queued, no write in flight) ever retire, and none whose last
// request came in the current tick; so the limit can be exceeded by the lists
// busy or used within the last tick, never by losing a change.
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
  // Fine enough that lists used a fraction of a second apart are told apart
  // by the memory limit; coarse enough that an idle todod wakes ten times a
  // second, for one atomic load.
  static constexpr std::chrono::microseconds kMaxTick{100'000};

  // idle_timeout 0: lists never expire; max_memory_bytes 0: no limit.
  // REQUIRES: one of them is not 0; cache and counters outlive the reaper.
  IdleReaper(Cache& cache, SystemCounters& counters, std::chrono::milliseconds idle_timeout,
             std::uint64_t max_memory_bytes);
  IdleReaper(const IdleReaper&) = delete;
  IdleReaper& operator=(const IdleReaper&) = delete;

 private:
  void run(const std::stop_token& stop);
  // Retires the longest idle actors while the estimate is over the limit.
  void relieve_memory();

  Cache& cache_;
  SystemCounters& counters_;
  const std::chrono::microseconds tick_;
  // Ticks between expiry sweeps (0: no expiry), and the idleness, in ticks,
  // past which a sweep retires an actor.
  const std::uint32_t ticks_per_sweep_;
  const std::uint32_t expiry_ticks_;
  const std::uint64_t max_memory_bytes_;
  bool has_logged_limit_ = false;
  // Guards nothing: the wait between ticks needs one, and a stop request ends it.
  std::mutex tick_mutex_;
  std::condition_variable_any tick_wait_;
  // Last: starts after everything it uses exists, and is the first member
  // destroyed, which asks it to stop and joins it.
  std::jthread thread_;
};

}  // namespace todo
