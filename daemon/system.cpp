#include "daemon/system.hpp"

#include <thread>

#include "daemon/access_tokens.hpp"
#include "daemon/backup_maker.hpp"
#include "daemon/cache.hpp"
#include "daemon/idle_reaper.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/runtime/scheduler.hpp"
#include "daemon/system_counters.hpp"

namespace todo {

Result<std::unique_ptr<System>> System::start(const SystemOptions& options) {
  auto database = Database::open(options.database);
  if (!database) return std::move(database).error();
  // After the database, which holds the data directory's lock.
  auto access_tokens = AccessTokens::open(database.value()->data_dir());
  if (!access_tokens) return std::move(access_tokens).error();
  std::size_t threads = options.thread_count;
  if (threads == 0) threads = default_thread_count(std::thread::hardware_concurrency());
  return std::unique_ptr<System>(
      new System(std::move(database).value(), std::move(access_tokens).value(), options, threads));
}

std::size_t System::default_thread_count(unsigned hardware_threads) {
  // One core is left to the threads every request also passes through: the
  // I/O thread, ZeroMQ's I/O thread and the database worker. On two cores a
  // second pool thread only makes them wait for a core (bench/pool-threads.sh).
  return std::max(2u, hardware_threads) - 1;
}

System::System(std::unique_ptr<Database> database, std::unique_ptr<AccessTokens> access_tokens,
               const SystemOptions& options, std::size_t thread_count)
    : database_(std::move(database)),
      access_tokens_(std::move(access_tokens)),
      counters_(std::make_unique<SystemCounters>(options.max_requests_in_progress)),
      scheduler_(std::make_unique<Scheduler>(thread_count)),
      cache_(std::make_unique<Cache>(*scheduler_, *database_, *counters_)),
      backup_maker_(std::make_unique<BackupMaker>(*database_)) {
  if (options.idle_timeout.count() > 0 || options.max_memory_bytes > 0) {
    idle_reaper_ = std::make_unique<IdleReaper>(*cache_, *counters_, options.idle_timeout,
                                                options.max_memory_bytes);
  }
}

System::~System() { shutdown(); }

std::size_t System::thread_count() const { return scheduler_->thread_count(); }

bool System::shutdown(std::chrono::milliseconds grace) {
  if (is_shut_down_) return true;
  is_shut_down_ = true;
  idle_reaper_.reset();
  // A backup in progress is stopped (it can take minutes), and its thread
  // joined once the engine gives up.
  backup_maker_.reset();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  bool is_drained = true;
  while (counters_->requests_in_progress.load(std::memory_order_acquire) > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      is_drained = false;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  scheduler_->stop();
  if (auto saved = access_tokens_->save_last_use(); !saved) {
    log_event("when tokens were last used is not saved: " + saved.error().message);
  }
  // The workers write what is still queued before the database closes, and
  // answer it through actors that reach the counters through the Cache: it
  // goes after them.
  database_.reset();
  cache_.reset();
  return is_drained;
}

}  // namespace todo
