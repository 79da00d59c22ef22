// How a RocksDB status reads in todod's errors: the data directory, then what
// RocksDB said.
//
// Thread safety: a pure function.
#pragma once

#include <rocksdb/status.h>

#include <filesystem>
#include <string>

namespace todo {

inline std::string describe_status(const std::filesystem::path& dir,
                                   const rocksdb::Status& status) {
  return "database in " + dir.string() + ": " + status.ToString();
}

}  // namespace todo
