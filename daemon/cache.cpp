#include "daemon/cache.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "common/name_hash.hpp"
#include "daemon/list_transfers.hpp"
#include "daemon/server.hpp"

namespace todo {

Cache::Cache(Scheduler& scheduler, Database& database, SystemCounters& counters)
    : scheduler_(scheduler),
      database_(database),
      counters_(counters),
      transfers_(std::make_unique<ListTransfers>(*this)) {}

Cache::~Cache() = default;

std::shared_ptr<Server> Cache::server_process(std::string_view name) {
  return find_or_start(name, false);
}

std::shared_ptr<Server> Cache::find_or_start(std::string_view name,
                                             bool retires_when_nothing_stored) {
  const std::uint64_t hash = mixed_name_hash(name);
  Shard& shard = shard_for(hash);
  MutexLock lock(shard.mutex);
  if (const auto* found = shard.servers.find(hash, name)) return *found;
  auto server =
      std::make_shared<Server>(scheduler_, *this, std::string(name), retires_when_nothing_stored);
  shard.servers.insert(hash, server);
  return server;
}

void Cache::send(std::string_view name, ListOperation&& operation, Server::ReplyFn&& reply) {
  send(name, std::move(operation), std::nullopt, std::move(reply));
}

void Cache::send(std::string_view name, ListOperation&& operation,
                 std::optional<IdempotencyKey> key, Server::ReplyFn&& reply) {
  // A retired actor takes nothing and is already gone from its shard (whoever
  // retires one removes it under the lock it retired it under): the next
  // lookup starts a fresh one.
  while (!find_or_start(name, true)->send(std::move(operation), key, std::move(reply))) {
  }
}

void Cache::lend(std::string_view name, Server::LoanFn&& on_lent) {
  while (!find_or_start(name, true)->lend(std::move(on_lent))) {
  }
}

void Cache::retire_now(Server& server) {
  const std::uint64_t hash = mixed_name_hash(server.name());
  Shard& shard = shard_for(hash);
  std::shared_ptr<Server> retired;  // freed outside the lock
  MutexLock lock(shard.mutex);
  const std::size_t position = shard.servers.find_position(hash, server.name());
  // Another actor under the name means this one already retired (idle) and
  // a request started a fresh one: that one is not ours to retire.
  if (position == shard.servers.size() || shard.servers.at(position).get() != &server) return;
  if (server.try_retire()) retired = shard.servers.erase_at(position);
}

bool Cache::has_server(std::string_view name) const {
  const std::uint64_t hash = mixed_name_hash(name);
  const Shard& shard = shard_for(hash);
  MutexLock lock(shard.mutex);
  return shard.servers.find(hash, name) != nullptr;
}

void Cache::survey_idle(const std::function<void(std::uint32_t, std::size_t)>& visit) const {
  for (const Shard& shard : shards_) {
    std::size_t position = 0;
    for (bool is_done = false; !is_done;) {
      {
        MutexLock lock(shard.mutex);
        // Removals meanwhile move actors from the end into holes: an actor may
        // be seen twice or not at all, which an estimate can afford.
        const std::size_t end = std::min(shard.servers.size(), position + kRetireChunk);
        for (; position < end; ++position) {
          const Server& server = *shard.servers.at(position);
          if (server.has_unanswered()) continue;
          visit(server.idle_ticks(), Server::kActorBytes + server.list_bytes());
        }
        is_done = position >= shard.servers.size();
      }
      if (!is_done) std::this_thread::yield();
    }
  }
}

void Cache::retire_idle(std::uint32_t idle_ticks) { retire_idle(idle_ticks, false); }

void Cache::evict_idle(std::uint32_t idle_ticks) { retire_idle(idle_ticks, true); }

void Cache::retire_idle(std::uint32_t idle_ticks, bool is_eviction) {
  // Freed outside the lock: freeing a large list takes time.
  std::vector<std::shared_ptr<Server>> retired;
  retired.reserve(kRetireChunk);
  for (Shard& shard : shards_) {
    // From the top of the shard, whatever its size (retire_idle_below clamps).
    std::size_t position = std::numeric_limits<std::size_t>::max();
    while (position > 0) {
      position = retire_idle_below(shard, position, idle_ticks, is_eviction, retired);
      retired.clear();
      // Between chunks a waiting lookup gets the lock: without a yield this
      // thread would mostly take it straight back. Not after a shard's last
      // chunk: under load a yield can cost a time slice, and the sweep of
      // every shard would then fall behind the idle clock's ticks.
      if (position > 0) std::this_thread::yield();
    }
  }
}

std::size_t Cache::retire_idle_below(Shard& shard, std::size_t position, std::uint32_t idle_ticks,
                                     bool is_eviction,
                                     std::vector<std::shared_ptr<Server>>& retired) {
  MutexLock lock(shard.mutex);
  // Turns that find nothing stored remove actors between chunks (retire_now).
  // Each moved the last actor into its hole, which never lifts an actor not
  // yet looked at above this position: clamping skips none.
  position = std::min(position, shard.servers.size());
  const std::size_t end = position > kRetireChunk ? position - kRetireChunk : 0;
  // Downwards, so that erasing (which moves the last actor into the hole)
  // only ever moves an actor already looked at, or one started meanwhile.
  while (position > end) {
    --position;
    if (shard.servers.at(position)->try_retire(idle_ticks)) {
      retired.push_back(shard.servers.erase_at(position));
      // Counted under the lock that removed it: whoever then finds the
      // actor gone from the Cache (size(), todo ping) sees it counted.
      counters_.lists_expired.fetch_add(1, std::memory_order_relaxed);
      if (is_eviction) counters_.lists_evicted.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return position;
}

std::size_t Cache::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    MutexLock lock(shard.mutex);
    total += shard.servers.size();
  }
  return total;
}

}  // namespace todo
