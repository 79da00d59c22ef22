// What /metrics reports of the HTTP front door: requests per route and status
// class, and the latency of each from the request read whole to the response
// made, as a Prometheus histogram. The daemon's own counters (those of ping)
// are added when the exposition is made.
//
// Thread safety: record() and exposition() may be called from any thread; the
// counts are relaxed atomics, so one exposition may see a request counted in
// one series and not yet in another.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "common/protocol.hpp"
#include "daemon/http/http_api.hpp"

namespace todo {

class HttpMetrics {
 public:
  void record(ApiRoute route, unsigned status, std::chrono::nanoseconds latency);
  // The Prometheus text exposition format (version 0.0.4).
  std::string exposition(const PingInfo& ping) const;

 private:
  // Upper bounds of the latency buckets, in seconds: from a cached read
  // (tens of microseconds) to a group commit behind a slow disk.
  static constexpr std::array<double, 12> kBucketBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
  static constexpr std::size_t kStatusClasses = 5;  // 1xx to 5xx

  std::array<std::array<std::atomic<std::uint64_t>, kStatusClasses>, kApiRouteCount> requests_{};
  // Not cumulative: bucket i counts latencies in (bound i-1, bound i]; the
  // last one, those above every bound.
  std::array<std::atomic<std::uint64_t>, kBucketBounds.size() + 1> latency_buckets_{};
  std::atomic<std::uint64_t> latency_sum_ns_{0};
};

}  // namespace todo
