// Drives todod (or the echo server) as todo-bench's clients: C DEALER
// connections (ZmtpConnection) on one thread waiting in epoll, each keeping W
// requests in flight, for a set duration after a warm-up. Every reply is checked
// (Workload::is_right_reply); latencies are kept whole so percentiles are exact.
//
// Thread safety: one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/workload.hpp"

namespace todo::bench {

struct LoadResult {
  std::uint64_t completed = 0;  // replies received in the measured window
  std::uint64_t wrong = 0;      // replies that were not the right answer
  double seconds = 0;
  double ops_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  std::string error;  // why the run stopped early; empty when it ran its time
};

struct LoadOptions {
  std::string endpoint;
  Workload::Kind workload = Workload::Kind::add;
  std::size_t connections = 64;
  std::size_t in_flight = 1;
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds duration{10'000};
};

class LoadGenerator {
 public:
  explicit LoadGenerator(LoadOptions options) : options_(std::move(options)) {}

  // Fills the read lists (for read and mixed), untimed. False when todod
  // refused or did not answer.
  bool prepare(std::string& error);
  LoadResult run();

 private:
  LoadOptions options_;
};

}  // namespace todo::bench
