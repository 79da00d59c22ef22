// One shard's map from list name to actor. The actors are kept in insertion
// order in a vector; an open-addressing index with linear probing maps a name
// to its place there. An index slot is eight bytes (32 bits of the name's
// hash and the actor's position), so the index of a million lists is about
// 16 MB, and it lives in huge pages when the kernel allows: a lookup is then
// one random read that mostly hits the cache and the TLB, where a node-based
// map chases two or three pointers to scattered nodes.
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
  // REQUIRES: find(hash, server->name()) is null.
  void insert(std::uint64_t hash, std::shared_ptr<Server> server);
  std::size_t size() const { return servers_.size(); }

  // Positions run from 0 to size() - 1. Erasing one moves the actor that was
  // last into it and leaves the positions before it unchanged.
  const std::shared_ptr<Server>& at(std::size_t position) const { return servers_[position]; }
  std::shared_ptr<Server> erase_at(std::size_t position);

 private:
  // A slot: the hash's top 32 bits, then the actor's position + 1 (0: free).
  using Slot = std::uint64_t;

  static Slot make_slot(std::uint64_t hash, std::size_t position) {
    return (hash & 0xffffffff00000000ull) | (position + 1);
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
};

}  // namespace todo
