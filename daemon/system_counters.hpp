// The running System's counters, which todo ping reports, and its admission
// limit: every list's Server, the Cache, the IdleReaper and the
// RequestHandler count here. One per System; it outlives every Server (System
// stops all of them before destroying it).
//
// Thread safety: the counters are atomics; the limit is constant.
#pragma once

#include <atomic>
#include <cstdint>

namespace todo {

struct SystemCounters {
  explicit SystemCounters(std::int64_t max_in_progress)
      : max_requests_in_progress(max_in_progress) {}

  // Beyond this many requests in progress, new ones are answered busy.
  const std::int64_t max_requests_in_progress;
  // Requests handed to a Server and not yet answered; shutdown waits for zero.
  // Both change before an answer is handed on (Server::reply), so a client
  // that has its answer finds it counted.
  std::atomic<std::int64_t> requests_in_progress{0};
  std::atomic<std::uint64_t> requests_served{0};
  std::atomic<std::uint64_t> actor_restarts{0};
  // Requests answered busy because a list's mailbox or the daemon was full.
  std::atomic<std::uint64_t> busy_refusals{0};
  // Counted under the shard lock that removes the actor (Cache::retire_idle,
  // Cache::evict_idle): idle lists that left memory, for the idle timeout or
  // for the memory limit.
  std::atomic<std::uint64_t> lists_expired{0};
  // Those of lists_expired that left early, for the memory limit.
  std::atomic<std::uint64_t> lists_evicted{0};
  // The estimate of what the actors in memory and their lists hold
  // (Server::kActorBytes and Server::list_bytes() summed): what --max-memory
  // bounds. Each actor changes it at its start, at the end of a turn that
  // changed its list, and when it is destroyed.
  std::atomic<std::int64_t> list_memory_bytes{0};
  // Ticks of the IdleReaper; a Server notes it at each request, to know how
  // long it has been idle without reading a clock per request.
  std::atomic<std::uint32_t> idle_clock{0};
};

}  // namespace todo
