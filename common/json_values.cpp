#include "common/json_values.hpp"

namespace todo {

boost::json::object entry_json(const Entry& entry) {
  return entry_json(EntryView{entry.id, entry.date, entry.title, entry.done,
                              std::vector<std::string_view>(entry.tags.begin(), entry.tags.end())});
}

boost::json::object entry_json(const EntryView& entry, boost::json::storage_ptr storage) {
  boost::json::array tags(storage);
  tags.reserve(entry.tags.size());
  for (const std::string_view tag : entry.tags) tags.emplace_back(tag);
  return boost::json::object({{"id", entry.id},
                              {"date", entry.date.to_string()},
                              {"title", entry.title},
                              {"done", entry.done},
                              {"tags", std::move(tags)}},
                             std::move(storage));
}

boost::json::object ping_json(const PingInfo& ping) {
  return {{"version", ping.version},
          {"uptime_ms", ping.uptime_ms},
          {"lists_in_memory", ping.lists_in_memory},
          {"requests_served", ping.requests_served},
          {"errors", ping.errors},
          {"busy_refusals", ping.busy_refusals},
          {"database_batches", ping.database_batches},
          {"database_writes", ping.database_writes},
          {"actor_restarts", ping.actor_restarts},
          {"lists_expired", ping.lists_expired},
          {"p99_latency_us", ping.p99_latency_us},
          {"resident_bytes", ping.resident_bytes},
          {"degraded", ping.degraded}};
}

}  // namespace todo
