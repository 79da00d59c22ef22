#include "daemon/cache.hpp"

#include <string>

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

std::size_t Cache::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.servers.size();
  }
  return total;
}

}  // namespace todo
