// One shard's map from list name to actor: an open-addressing hash table with
// linear probing, whose slots hold the name's full hash beside the actor. A
// lookup reads one slot (usually one cache line) and compares names only when
// the 64-bit hashes match; a node-based map would chase two or three pointers
// to scattered nodes per lookup, and with a million lists each is a cache miss.
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

  // The actor named name, or null.
  const std::shared_ptr<Server>* find(std::uint64_t hash, std::string_view name) const;
  // REQUIRES: find(hash, server->name()) is null.
  void insert(std::uint64_t hash, std::shared_ptr<Server> server);
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::shared_ptr<Server> server;  // null: the slot is free
  };

  void grow();
  std::size_t mask() const { return slots_.size() - 1; }

  std::vector<Slot> slots_;  // capacity a power of two, or empty
  std::size_t size_ = 0;
};

}  // namespace todo
