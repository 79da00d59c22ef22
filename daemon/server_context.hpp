// What every list's Server shares: the database it persists to and the
// counters the daemon reports. One per running system; it outlives every
// Server (System stops all of them before destroying it).
//
// Thread safety: the counters are atomics; the database is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace todo {

class Database;

struct ServerContext {
  ServerContext(Database& db, std::int64_t max_in_progress)
      : database(db), max_requests_in_progress(max_in_progress) {}

  Database& database;
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
  // Counted under the shard lock that removes the actor (Cache::retire_idle).
  std::atomic<std::uint64_t> lists_expired{0};
  // Ticks of the IdleReaper; a Server notes it at each request, to know how
  // long it has been idle without reading a clock per request.
  std::atomic<std::uint32_t> idle_clock{0};
};

}  // namespace todo
