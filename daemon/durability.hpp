// When a change counts as durable, and so when its caller hears "ok".
#pragma once

#include <string_view>

namespace todo {

enum class Durability {
  // Written to RocksDB's write-ahead log and fsynced: survives a power cut.
  sync,
  // Written to the write-ahead log without fsync: survives a crash of todod,
  // not of the machine.
  no_sync,
};

inline std::string_view to_string(Durability durability) {
  return durability == Durability::sync ? "sync" : "no-sync";
}

}  // namespace todo
