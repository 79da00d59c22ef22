#include "daemon/http/http_metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace todo {
namespace {

void append_metric(std::string& text, std::string_view name, std::string_view type,
                   std::string_view help, std::uint64_t value) {
  text += "# HELP ";
  text += name;
  text += ' ';
  text += help;
  text += "\n# TYPE ";
  text += name;
  text += ' ';
  text += type;
  text += '\n';
  text += name;
  text += ' ';
  text += std::to_string(value);
  text += '\n';
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

}  // namespace

void HttpMetrics::record(ApiRoute route, unsigned status, std::chrono::nanoseconds latency) {
  const std::size_t status_class = std::clamp<unsigned>(status / 100, 1, kStatusClasses) - 1;
  requests_[static_cast<std::size_t>(route)][status_class].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(latency).count();
  const auto bucket =
      std::lower_bound(kBucketBounds.begin(), kBucketBounds.end(), seconds) - kBucketBounds.begin();
  latency_buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
}

std::string HttpMetrics::exposition(const PingInfo& ping) const {
  std::string text;
  struct PingMetric {
    std::string_view name;
    std::string_view type;
    std::string_view help;
    std::uint64_t value;
  };
  const PingMetric ping_metrics[] = {
      {"todo_uptime_seconds", "gauge", "Seconds since todod started.", ping.uptime_ms / 1000},
      {"todo_lists_in_memory", "gauge", "Lists whose actor is in memory.", ping.lists_in_memory},
      {"todo_requests_served_total", "counter", "Requests answered, over every front door.",
       ping.requests_served},
      {"todo_errors_total", "counter", "Answers other than ok, busy ones included.", ping.errors},
      {"todo_busy_refusals_total", "counter", "Requests refused because todod was at its limit.",
       ping.busy_refusals},
      {"todo_database_batches_total", "counter", "Group commits to RocksDB.",
       ping.database_batches},
      {"todo_database_writes_total", "counter", "List writes the group commits carried.",
       ping.database_writes},
      {"todo_actor_restarts_total", "counter", "List actors restarted.", ping.actor_restarts},
      {"todo_lists_expired_total", "counter", "List actors that left memory, idle.",
       ping.lists_expired},
      {"todo_resident_bytes", "gauge", "todod's resident memory.", ping.resident_bytes},
      {"todo_database_degraded", "gauge",
       "1 when the database refuses reads or writes (todo ping says why).",
       ping.degraded.empty() ? 0u : 1u},
  };
  for (const PingMetric& metric : ping_metrics) {
    append_metric(text, metric.name, metric.type, metric.help, metric.value);
  }

  text +=
      "# HELP todo_http_requests_total HTTP requests answered, by route and status class.\n"
      "# TYPE todo_http_requests_total counter\n";
  for (std::size_t route = 0; route < kApiRouteCount; ++route) {
    for (std::size_t status_class = 0; status_class < kStatusClasses; ++status_class) {
      const std::uint64_t count = requests_[route][status_class].load(std::memory_order_relaxed);
      if (count == 0) continue;
      text += "todo_http_requests_total{route=\"";
      text += route_pattern(static_cast<ApiRoute>(route));
      text +=
          "\",code=\"" + std::to_string(status_class + 1) + "xx\"} " + std::to_string(count) + '\n';
    }
  }

  text +=
      "# HELP todo_http_request_duration_seconds From an HTTP request read whole to its "
      "response made.\n"
      "# TYPE todo_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t bucket = 0; bucket < latency_buckets_.size(); ++bucket) {
    cumulative += latency_buckets_[bucket].load(std::memory_order_relaxed);
    const std::string bound =
        bucket < kBucketBounds.size() ? seconds_text(kBucketBounds[bucket]) : "+Inf";
    text += "todo_http_request_duration_seconds_bucket{le=\"" + bound + "\"} " +
            std::to_string(cumulative) + '\n';
  }
  text += "todo_http_request_duration_seconds_sum " +
          seconds_text(static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) / 1e9) +
          '\n';
  text += "todo_http_request_duration_seconds_count " + std::to_string(cumulative) + '\n';
  return text;
}

}  // namespace todo
