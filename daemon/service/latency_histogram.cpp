#include "daemon/service/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace todo {

std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) {
  if (micros < 8) return micros;
  // For 2^e <= micros < 2^(e+1): the power, then its top three bits below it.
  const int power = std::bit_width(micros) - 1;
  const std::size_t bucket =
      8 * static_cast<std::size_t>(power - 2) + ((micros >> (power - 3)) & 7);
  return std::min(bucket, kBucketCount - 1);
}

std::uint64_t LatencyHistogram::upper_bound_of(std::size_t bucket) {
  if (bucket < 8) return bucket;
  const std::size_t power = bucket / 8 + 2;
  const std::uint64_t lower = (8 + bucket % 8) << (power - 3);
  return lower + (std::uint64_t{1} << (power - 3)) - 1;
}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  counts_[bucket_of(static_cast<std::uint64_t>(std::max<std::int64_t>(micros, 0)))].fetch_add(
      1, std::memory_order_relaxed);
}

std::chrono::microseconds LatencyHistogram::percentile(double fraction) const {
  std::array<std::uint64_t, kBucketCount> counts;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    counts[i] = counts_[i].load(std::memory_order_relaxed);
    total += counts[i];
  }
  // Over fewer than 1 / (1 - fraction) latencies, the rank is the slowest's,
  // which only the maximum (fraction 1) may be.
  if (total == 0 ||
      (fraction < 1.0 && static_cast<double>(total) * (1.0 - fraction) < 1.0 - 1e-9)) {
    return std::chrono::microseconds(0);
  }
  const auto rank = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(total)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) {
      return std::chrono::microseconds(upper_bound_of(i));
    }
  }
  return std::chrono::microseconds(upper_bound_of(kBucketCount - 1));
}

}  // namespace todo
