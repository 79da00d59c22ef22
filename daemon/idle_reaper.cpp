#include "daemon/idle_reaper.hpp"

#include <algorithm>
#include <exception>

#include "daemon/cache.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/system_counters.hpp"

namespace todo {

IdleReaper::IdleReaper(Cache& cache, SystemCounters& counters,
                       std::chrono::milliseconds idle_timeout)
    : cache_(cache),
      counters_(counters),
      tick_(std::max(
          std::chrono::microseconds(100),
          std::chrono::duration_cast<std::chrono::microseconds>(idle_timeout) / kTicksPerTimeout)),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

void IdleReaper::run(const std::stop_token& stop) {
  std::unique_lock lock(tick_mutex_);
  for (;;) {
    tick_wait_.wait_for(lock, stop, tick_, [] { return false; });
    if (stop.stop_requested()) return;
    counters_.idle_clock.fetch_add(1, std::memory_order_relaxed);
    try {
      cache_.retire_idle(kTicksPerTimeout);
    } catch (const std::exception& e) {
      // No memory to sweep with now: idle actors stay until a later tick.
      log_event(std::string("idle expiry skipped a sweep: ") + e.what());
    }
  }
}

}  // namespace todo
