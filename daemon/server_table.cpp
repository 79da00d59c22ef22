#include "daemon/server_table.hpp"

#include "daemon/server.hpp"

namespace todo {
namespace {

constexpr std::size_t kInitialCapacity = 16;

}  // namespace

const std::shared_ptr<Server>* ServerTable::find(std::uint64_t hash, std::string_view name) const {
  if (slots_.empty()) return nullptr;
  for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
    const Slot& slot = slots_[i];
    if (slot.server == nullptr) return nullptr;
    if (slot.hash == hash && slot.server->name() == name) return &slot.server;
  }
}

void ServerTable::insert(std::uint64_t hash, std::shared_ptr<Server> server) {
  // At most 3/4 full, so probe runs stay short and a free slot always exists.
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  std::size_t i = hash & mask();
  while (slots_[i].server != nullptr) i = (i + 1) & mask();
  slots_[i] = {hash, std::move(server)};
  ++size_;
}

void ServerTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_ = std::vector<Slot>(old.empty() ? kInitialCapacity : old.size() * 2);
  for (Slot& slot : old) {
    if (slot.server == nullptr) continue;
    std::size_t i = slot.hash & mask();
    while (slots_[i].server != nullptr) i = (i + 1) & mask();
    slots_[i] = std::move(slot);
  }
}

}  // namespace todo
