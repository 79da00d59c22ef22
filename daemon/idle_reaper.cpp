#include "daemon/idle_reaper.hpp"

#include <algorithm>
#include <exception>

#include "daemon/cache.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/server_context.hpp"

namespace todo {

IdleReaper::IdleReaper(Cache& cache, ServerContext& context, std::chrono::milliseconds idle_timeout)
    : cache_(cache),
      context_(context),
      tick_(std::max(
          std::chrono::microseconds(100),
          std::chrono::duration_cast<std::chrono::microseconds>(idle_timeout) / kTicksPerTimeout)),
      thread_([this] { run(); }) {}

IdleReaper::~IdleReaper() {
  {
    std::lock_guard lock(mutex_);
    is_stopping_ = true;
  }
  stop_requested_.notify_one();
  thread_.join();
}

void IdleReaper::run() {
  std::unique_lock lock(mutex_);
  while (!stop_requested_.wait_for(lock, tick_, [this] { return is_stopping_; })) {
    lock.unlock();
    context_.idle_clock.fetch_add(1, std::memory_order_relaxed);
    try {
      cache_.retire_idle(kTicksPerTimeout);
    } catch (const std::exception& e) {
      // No memory to sweep with now: idle actors stay until a later tick.
      log_event(std::string("idle expiry skipped a sweep: ") + e.what());
    }
    lock.lock();
  }
}

}  // namespace todo
