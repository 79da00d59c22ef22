#include "daemon/cache.hpp"

#include <string>
#include <thread>
#include <vector>

#include "common/name_hash.hpp"
#include "daemon/server.hpp"

namespace todo {

Cache::Cache(Scheduler& scheduler, ServerContext& context)
    : scheduler_(scheduler), context_(context) {}

Cache::~Cache() = default;

std::shared_ptr<Server> Cache::server_process(std::string_view name) {
  const std::uint64_t hash = mixed_name_hash(name);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  if (const auto* found = shard.servers.find(hash, name)) return *found;
  auto server = std::make_shared<Server>(scheduler_, context_, std::string(name));
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
  for (Shard& shard : shards_) {
    // Declared before the lock, so destroyed after it is released: freeing a
    // large list takes time.
    std::vector<std::shared_ptr<Server>> retired;
    retired.reserve(kRetireChunk);
    std::unique_lock lock(shard.mutex);
    // Downwards, so that erasing (which moves the last actor into the hole)
    // only ever moves an actor already looked at, or one started meanwhile.
    std::size_t position = shard.servers.size();
    for (std::size_t looked_at = 1; position > 0; ++looked_at) {
      if (looked_at % kRetireChunk == 0) {
        lock.unlock();
        // A waiting lookup gets the lock: without a yield this thread would
        // mostly take it straight back.
        std::this_thread::yield();
        lock.lock();
      }
      --position;
      if (shard.servers.at(position)->try_retire(idle_ticks)) {
        std::shared_ptr<Server> server = shard.servers.erase_at(position);
        // Counted under the lock that removed it: whoever then finds the
        // actor gone from the Cache (size(), todo ping) sees it counted.
        context_.lists_expired.fetch_add(1, std::memory_order_relaxed);
        retired.push_back(std::move(server));
      }
    }
  }
}

std::size_t Cache::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.servers.size();
  }
  return total;
}

}  // namespace todo
