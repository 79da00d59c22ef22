// Request latencies since the daemon started, for the p99 that `todo ping`
// reports. Log-linear buckets of microseconds: exact below 8 µs, then eight
// buckets per power of two, so a percentile is within 1/8 of the truth, in
// fixed memory, at the cost of one relaxed atomic increment per request.
//
// Thread safety: record() and percentile() may be called from any thread;
// percentile() sees some recent state of the counts.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace todo {

class LatencyHistogram {
 public:
  void record(std::chrono::nanoseconds latency);
  // The upper bound of the bucket holding the given fraction (0 to 1) of the
  // recorded latencies. 0 when nothing is recorded, and when too few are for
  // that fraction to be other than the slowest one (fewer than 100 for a
  // p99): a bucket's edge over a handful of requests would read as a
  // measurement and is none.
  std::chrono::microseconds percentile(double fraction) const;

 private:
  // Up to 2^36 µs (19 hours); anything longer lands in the last bucket.
  static constexpr std::size_t kBucketCount = 8 * 35;

  static std::size_t bucket_of(std::uint64_t micros);
  static std::uint64_t upper_bound_of(std::size_t bucket);

  std::array<std::atomic<std::uint64_t>, kBucketCount> counts_{};
};

}  // namespace todo
