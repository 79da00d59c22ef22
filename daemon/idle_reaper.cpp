#include "daemon/idle_reaper.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <exception>
#include <string>

#include "daemon/cache.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/system_counters.hpp"

namespace todo {
namespace {

using std::chrono::microseconds;

// Idleness in ticks, bucketed for the survey: exact below 32 ticks, then 16
// buckets per power of two, so a bucket is within 1/16 of its idleness and
// retiring the last one taken costs at most that much more than needed.
constexpr std::size_t kExactAges = 32;
constexpr std::size_t kBucketsPerDoubling = 16;
constexpr std::size_t kAgeBuckets = kExactAges + (32 - 5) * kBucketsPerDoubling;

std::size_t age_bucket(std::uint32_t idle_ticks) {
  if (idle_ticks < kExactAges) return idle_ticks;
  const int exponent = std::bit_width(idle_ticks) - 1;     // 5 or more
  const std::uint32_t top = idle_ticks >> (exponent - 4);  // 16 to 31
  return kExactAges + static_cast<std::size_t>(exponent - 5) * kBucketsPerDoubling + (top - 16);
}

// The least idleness in bucket.
std::uint32_t bucket_floor(std::size_t bucket) {
  if (bucket < kExactAges) return static_cast<std::uint32_t>(bucket);
  const std::size_t exponent = (bucket - kExactAges) / kBucketsPerDoubling + 5;
  const std::uint32_t top =
      static_cast<std::uint32_t>((bucket - kExactAges) % kBucketsPerDoubling) + 16;
  return top << (exponent - 4);
}

microseconds tick_for(std::chrono::milliseconds idle_timeout) {
  if (idle_timeout.count() == 0) return IdleReaper::kMaxTick;
  return std::clamp(
      std::chrono::duration_cast<microseconds>(idle_timeout) / IdleReaper::kTicksPerTimeout,
      microseconds(100), IdleReaper::kMaxTick);
}

// Ticks between sweeps: as many as fit in an eighth of the timeout, at least
// one, so that sweeps come at least that often.
std::uint32_t ticks_per_sweep(std::chrono::milliseconds idle_timeout, microseconds tick) {
  if (idle_timeout.count() == 0) return 0;
  const auto eighth =
      std::chrono::duration_cast<microseconds>(idle_timeout) / IdleReaper::kTicksPerTimeout;
  return static_cast<std::uint32_t>(std::max<std::int64_t>(1, eighth / tick));
}

// Ticks in the timeout, rounded up: an actor idle for more of them has been
// idle for at least the timeout.
std::uint32_t expiry_ticks(std::chrono::milliseconds idle_timeout, microseconds tick) {
  const auto timeout = std::chrono::duration_cast<microseconds>(idle_timeout);
  return static_cast<std::uint32_t>((timeout + tick - microseconds(1)) / tick);
}

}  // namespace

IdleReaper::IdleReaper(Cache& cache, SystemCounters& counters,
                       std::chrono::milliseconds idle_timeout, std::uint64_t max_memory_bytes)
    : cache_(cache),
      counters_(counters),
      tick_(tick_for(idle_timeout)),
      ticks_per_sweep_(ticks_per_sweep(idle_timeout, tick_)),
      expiry_ticks_(expiry_ticks(idle_timeout, tick_)),
      max_memory_bytes_(max_memory_bytes),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

void IdleReaper::run(const std::stop_token& stop) {
  std::unique_lock lock(tick_mutex_);
  std::uint32_t ticks_to_sweep = ticks_per_sweep_;
  for (;;) {
    tick_wait_.wait_for(lock, stop, tick_, [] { return false; });
    if (stop.stop_requested()) return;
    counters_.idle_clock.fetch_add(1, std::memory_order_relaxed);
    try {
      if (ticks_per_sweep_ > 0 && --ticks_to_sweep == 0) {
        ticks_to_sweep = ticks_per_sweep_;
        cache_.retire_idle(expiry_ticks_);
      }
      if (max_memory_bytes_ > 0) relieve_memory();
    } catch (const std::exception& e) {
      // No memory to sweep with now: idle actors stay until a later tick.
      log_event(std::string("idle expiry skipped a sweep: ") + e.what());
    }
  }
}

void IdleReaper::relieve_memory() {
  const auto used = static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, counters_.list_memory_bytes.load(std::memory_order_relaxed)));
  if (used <= max_memory_bytes_) return;
  if (!has_logged_limit_) {
    has_logged_limit_ = true;
    log_event("the lists in memory reached --max-memory (" + std::to_string(max_memory_bytes_) +
              " bytes): from now on the least recently used idle lists leave memory early");
  }
  const std::uint64_t excess = used - (max_memory_bytes_ - max_memory_bytes_ / 16);
  std::array<std::uint64_t, kAgeBuckets> bytes_by_age{};
  cache_.survey_idle([&bytes_by_age](std::uint32_t idle_ticks, std::size_t bytes) {
    bytes_by_age[age_bucket(idle_ticks)] += bytes;
  });
  // From the longest idle down, until enough is taken; bucket 0, used in
  // this tick, is never taken (try_retire needs more idleness than 0 ticks).
  std::uint64_t taken = 0;
  std::size_t bucket = kAgeBuckets;
  while (bucket > 1 && taken < excess) taken += bytes_by_age[--bucket];
  if (taken == 0) return;
  cache_.evict_idle(bucket_floor(bucket) - 1);
}

}  // namespace todo
