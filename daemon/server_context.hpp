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
  explicit ServerContext(Database& db) : database(db) {}

  Database& database;
  // Requests handed to a Server and not yet answered; shutdown waits for zero.
  std::atomic<std::int64_t> requests_in_progress{0};
  std::atomic<std::uint64_t> requests_served{0};
  std::atomic<std::uint64_t> actor_restarts{0};
};

}  // namespace todo
