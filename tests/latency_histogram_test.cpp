#include "daemon/service/latency_histogram.hpp"

#include <catch2/catch.hpp>
#include <chrono>

namespace todo {
namespace {

using std::chrono::microseconds;

TEST_CASE("a p99 is not told before there are 100 latencies to take it from") {
  LatencyHistogram histogram;
  CHECK(histogram.percentile(0.99) == microseconds(0));
  // Eight requests, one of them slow: their "p99" would be the slow one's
  // bucket edge, which is no percentile.
  for (int i = 0; i < 7; ++i) histogram.record(microseconds(100));
  histogram.record(microseconds(30'000));
  CHECK(histogram.percentile(0.99) == microseconds(0));
  CHECK(histogram.percentile(0.5) == microseconds(103));
  for (int i = 0; i < 91; ++i) histogram.record(microseconds(100));
  CHECK(histogram.percentile(0.99) == microseconds(0));
  histogram.record(microseconds(100));
  // 100 latencies: the 99th is one of the fast ones, within 1/8 above.
  CHECK(histogram.percentile(0.99) == microseconds(103));
}

TEST_CASE("a percentile is its bucket's upper bound within an eighth") {
  LatencyHistogram histogram;
  for (int i = 0; i < 1000; ++i) histogram.record(microseconds(i < 990 ? 5 : 5000));
  CHECK(histogram.percentile(0.99) == microseconds(5));
  CHECK(histogram.percentile(0.995) == microseconds(5119));
  CHECK(histogram.percentile(1.0) == microseconds(5119));
}

}  // namespace
}  // namespace todo
