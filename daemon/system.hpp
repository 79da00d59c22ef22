// The whole engine, started and stopped in the right order: the Database (and
// its workers), the Scheduler's threads, the Cache of list actors, the
// AccessTokens of the HTTP front door, kept in the same data directory, and
// the BackupMaker. As the
// top supervisor of the Elixir original, it owns everything else.
//
// Thread safety: cache(), database(), access_tokens(), backups() and counters() may be used from
// any thread while the system runs. shutdown() once, from outside the pool; the destructor calls
// it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/result.hpp"
#include "daemon/database.hpp"

namespace todo {

class AccessTokens;
class BackupMaker;
class Cache;
class IdleReaper;
class Scheduler;
struct SystemCounters;

struct SystemOptions {
  DatabaseOptions database;
  // Pool threads that run the actors; 0 means one per core but one.
  std::size_t thread_count = 0;
  // A list actor with no request for this long leaves memory; 0: never.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(10);
  // Past this estimate of what the lists in memory hold, the least recently
  // used idle ones leave memory early (IdleReaper); 0: no limit. todod's
  // default is default_max_memory_bytes().
  std::uint64_t max_memory_bytes = 0;
  // Requests handed to actors and not yet answered, across all lists, beyond
  // which new ones are answered busy: bounds the memory they hold.
  std::int64_t max_requests_in_progress = 100'000;
};

class System {
 public:
  static Result<std::unique_ptr<System>> start(const SystemOptions& options);
  // Pool threads when none are asked for, on a machine with this many
  // hardware threads (0: unknown).
  static std::size_t default_thread_count(unsigned hardware_threads);

  System(const System&) = delete;
  System& operator=(const System&) = delete;
  ~System();

  Cache& cache() { return *cache_; }
  Database& database() { return *database_; }
  AccessTokens& access_tokens() { return *access_tokens_; }
  // REQUIRES: before shutdown(), which stops backups.
  BackupMaker& backups() { return *backup_maker_; }
  SystemCounters& counters() { return *counters_; }
  Scheduler& scheduler() { return *scheduler_; }
  std::size_t thread_count() const;

  // Waits (up to grace) for every request handed to an actor to be answered,
  // then stops the threads and closes the database. Returns false when the
  // grace ran out with requests unanswered; their changes were not acknowledged.
  bool shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  System(std::unique_ptr<Database> database, std::unique_ptr<AccessTokens> access_tokens,
         const SystemOptions& options, std::size_t thread_count);

  std::unique_ptr<Database> database_;
  std::unique_ptr<AccessTokens> access_tokens_;
  std::unique_ptr<SystemCounters> counters_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<IdleReaper> idle_reaper_;  // null with no expiry and no memory limit
  std::unique_ptr<BackupMaker> backup_maker_;
  bool is_shut_down_ = false;
};

}  // namespace todo
