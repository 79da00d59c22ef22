#include "daemon/server_table.hpp"

#include <sys/mman.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include "common/name_hash.hpp"
#include "daemon/server.hpp"

namespace todo {
namespace {

constexpr std::size_t kInitialCapacity = 16;
constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Zeroed slots; aligned to huge pages, and advised to use them, once large
// enough to fill one.
std::uint32_t* allocate_slots(std::size_t count) {
  const std::size_t bytes = count * sizeof(std::uint32_t);
  const bool is_huge = bytes >= kHugePage;
  void* memory = std::aligned_alloc(is_huge ? kHugePage : alignof(std::uint32_t), bytes);
  if (memory == nullptr) throw std::bad_alloc();
  if (is_huge) ::madvise(memory, bytes, MADV_HUGEPAGE);
  std::memset(memory, 0, bytes);
  return static_cast<std::uint32_t*>(memory);
}

}  // namespace

ServerTable::~ServerTable() { std::free(slots_); }

const std::shared_ptr<Server>* ServerTable::find(std::uint64_t hash, std::string_view name) const {
  const std::size_t position = find_position(hash, name);
  return position == servers_.size() ? nullptr : &servers_[position];
}

std::size_t ServerTable::find_position(std::uint64_t hash, std::string_view name) const {
  if (capacity_ == 0) return servers_.size();
  const Slot wanted = fingerprint(hash);
  for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
    const Slot slot = slots_[i];
    if (slot == 0) return servers_.size();
    if ((slot >> position_bits_) != wanted) continue;
    const std::size_t position = position_of(slot);
    if (servers_[position]->name() == name) return position;
  }
}

void ServerTable::insert(std::uint64_t hash, std::shared_ptr<Server> server) {
  // At most 3/4 full, so probe runs stay short and a free slot always exists.
  if ((servers_.size() + 1) * 4 > capacity_ * 3) {
    rebuild(capacity_ == 0 ? kInitialCapacity : capacity_ * 2);
  }
  // The vector first: if it cannot grow, no slot may point past its end.
  servers_.push_back(std::move(server));
  place(make_slot(hash, servers_.size() - 1), hash);
}

std::shared_ptr<Server> ServerTable::erase_at(std::size_t position) {
  std::size_t hole = slot_index(mixed_name_hash(servers_[position]->name()), position);
  // Backward shift: a later slot of the run moves into the hole unless its home
  // lies cyclically in (hole, next], where a lookup would no longer reach it.
  for (std::size_t next = (hole + 1) & mask(); slots_[next] != 0; next = (next + 1) & mask()) {
    if (((next - home_of(slots_[next])) & mask()) >= ((next - hole) & mask())) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = 0;

  std::shared_ptr<Server> erased = std::move(servers_[position]);
  const std::size_t last = servers_.size() - 1;
  if (position != last) {
    const std::uint64_t last_hash = mixed_name_hash(servers_[last]->name());
    slots_[slot_index(last_hash, last)] = make_slot(last_hash, position);
    servers_[position] = std::move(servers_[last]);
  }
  servers_.pop_back();
  // Shrunk at 1/8 full to 1/4 full, so a table near one size does not flip.
  if (capacity_ > kInitialCapacity && servers_.size() * 8 < capacity_) {
    // Optional: without memory for the smaller index, the larger one serves.
    try {
      rebuild(capacity_ / 2);
      if (servers_.size() * 4 < servers_.capacity()) servers_.shrink_to_fit();
    } catch (const std::bad_alloc&) {
    }
  }
  return erased;
}

void ServerTable::place(Slot slot, std::uint64_t hash) {
  std::size_t i = hash & mask();
  while (slots_[i] != 0) i = (i + 1) & mask();
  slots_[i] = slot;
}

std::size_t ServerTable::slot_index(std::uint64_t hash, std::size_t position) const {
  const Slot wanted = make_slot(hash, position);
  std::size_t i = hash & mask();
  while (slots_[i] != wanted) i = (i + 1) & mask();
  return i;
}

std::size_t ServerTable::home_of(Slot slot) const {
  return mixed_name_hash(servers_[position_of(slot)]->name()) & mask();
}

void ServerTable::rebuild(std::size_t capacity) {
  // A slot holds a position in log2(capacity) bits of 32.
  if (capacity > (std::size_t{1} << 31)) throw std::length_error("too many lists in one shard");
  Slot* const old = std::exchange(slots_, allocate_slots(capacity));
  capacity_ = capacity;
  position_bits_ = static_cast<unsigned>(std::countr_zero(capacity));
  // The index keeps only some bits of each hash: rehash from the names.
  for (std::size_t position = 0; position < servers_.size(); ++position) {
    const std::uint64_t hash = mixed_name_hash(servers_[position]->name());
    place(make_slot(hash, position), hash);
  }
  std::free(old);
}

}  // namespace todo
