// One shard's map from list name to actor. The actors are kept in insertion
// order in a vector; an open-addressing index with linear probing maps a name
// to its place there. An index slot is four bytes: the actor's position + 1
// in the low log2(capacity) bits, as many bits of the name's hash as are left
// above them. So the index of a million lists is about 8 MB, small enough to
// stay mostly in the last-level cache, and it lives in huge pages when the
// kernel allows: a lookup is then one random read that mostly hits the cache
// and the TLB, where a node-based map chases two or three pointers to
// scattered nodes.
//
// Removal (idle expiry) shifts later slots of the probe run back rather than
// leaving tombstones, and moves the last actor into the freed position; the
// index shrinks when it is mostly empty.
//
// Thread safety: none; the Cache guards each table with its shard's mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace todo {

class Server;

class ServerTable {
 public:
  ServerTable() = default;
  ServerTable(const ServerTable&) = delete;
  ServerTable& operator=(const ServerTable&) = delete;
  ~ServerTable();

  // The actor named name, or null.
  const std::shared_ptr<Server>* find(std::uint64_t hash, std::string_view name) const;
  // Its position, or size() when there is none.
  std::size_t find_position(std::uint64_t hash, std::string_view name) const;
  // REQUIRES: find(hash, server->name()) is null.
  void insert(std::uint64_t hash, std::shared_ptr<Server> server);
  std::size_t size() const { return servers_.size(); }

  // Positions run from 0 to size() - 1. Erasing one moves the actor that was
  // last into it and leaves the positions before it unchanged.
  const std::shared_ptr<Server>& at(std::size_t position) const { return servers_[position]; }
  std::shared_ptr<Server> erase_at(std::size_t position);

 private:
  // A slot: bits of the hash above position_bits_, the actor's position + 1
  // below (0: free). Positions stay below 3/4 of the capacity, so they fit.
  using Slot = std::uint32_t;

  // Hash bits from 29 + position_bits_ to 60: the low bits choose the slot,
  // the top three the shard, so they would tell no two names of a shard apart.
  Slot fingerprint(std::uint64_t hash) const {
    return static_cast<Slot>(hash >> 29) >> position_bits_;
  }
  Slot make_slot(std::uint64_t hash, std::size_t position) const {
    return (fingerprint(hash) << position_bits_) | static_cast<Slot>(position + 1);
  }
  std::size_t position_of(Slot slot) const {
    return (slot & ((Slot{1} << position_bits_) - 1)) - 1;
  }
  void rebuild(std::size_t capacity);
  void place(Slot slot, std::uint64_t hash);
  std::size_t slot_index(std::uint64_t hash, std::size_t position) const;
  // Where a slot's probe run starts, from the name of the actor it points to.
  std::size_t home_of(Slot slot) const;
  std::size_t mask() const { return capacity_ - 1; }

  std::vector<std::shared_ptr<Server>> servers_;  // in insertion order
  Slot* slots_ = nullptr;                         // capacity_ slots, a power of two
  std::size_t capacity_ = 0;
  unsigned position_bits_ = 0;  // log2(capacity_)
};

}  // namespace todo
