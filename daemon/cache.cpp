#include "daemon/cache.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "common/name_hash.hpp"
#include "daemon/server.hpp"

namespace todo {

Cache::Cache(Scheduler& scheduler, Database& database, SystemCounters& counters)
    : scheduler_(scheduler), database_(database), counters_(counters) {}

Cache::~Cache() = default;

std::shared_ptr<Server> Cache::server_process(std::string_view name) {
  const std::uint64_t hash = mixed_name_hash(name);
  Shard& shard = shard_for(hash);
  MutexLock lock(shard.mutex);
  if (const auto* found = shard.servers.find(hash, name)) return *found;
  auto server = std::make_shared<Server>(scheduler_, database_, counters_, std::string(name));
  shard.servers.insert(hash, server);
  return server;
}

void Cache::send(std::string_view name, ListOperation&& operation, Server::ReplyFn&& reply) {
  // A retired actor takes nothing and is already gone from its shard (the
  // reaper removes it under the lock it retired it under): the next lookup
  // starts a fresh one.
  while (!server_process(name)->send(std::move(operation), std::move(reply))) {
  }
}

void Cache::retire_idle(std::uint32_t idle_ticks) {
  // Freed outside the lock: freeing a large list takes time.
  std::vector<std::shared_ptr<Server>> retired;
  retired.reserve(kRetireChunk);
  for (Shard& shard : shards_) {
    // From the top of the shard, whatever its size (retire_idle_below clamps).
    std::size_t position = std::numeric_limits<std::size_t>::max();
    while (position > 0) {
      position = retire_idle_below(shard, position, idle_ticks, retired);
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
                                     std::vector<std::shared_ptr<Server>>& retired) {
  MutexLock lock(shard.mutex);
  // Only the reaper removes actors, so after the first chunk this changes
  // nothing: the shard has not shrunk below where the last chunk stopped.
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
