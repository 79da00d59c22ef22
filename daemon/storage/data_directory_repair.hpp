// `todod --repair`: a data directory whose RocksDB table files are damaged
// (a byte flipped on the disk) back in service, every undamaged list intact.
//
// With todod stopped: the directory is locked, its RocksDB opened (after
// RocksDB's RepairDB only if it will not open at all), and what can be read
// copied into a fresh database beside it (salvage.hpp); each list's metadata
// is made to agree with its surviving entries, and if anything was lost the
// id floor is raised past what it could have held (id_floor.hpp: by the
// bytes of the table files, since each lost entry took at least one). Then
// the old files move into damaged-TIME/ in the directory, kept for whoever
// wants to look, and the new ones take their place.
//
// The swap is two phases, noted in kSwapFileName ("out", then "in") so that a
// crash part way is finished at the next open (finish_interrupted_repair, which
// Database::open calls), never left half done.
//
// A write-ahead log damaged before its end is not this: it is refused with
// its own message, and --accept-wal-loss is the way past it.
//
// Thread safety: functions called with no todod on the directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace todo {

inline constexpr const char* kSwapFileName = "repair.swap";
inline constexpr const char* kRepairedDirName = "repair.new";

struct DataDirectoryRepair {
  bool was_damaged = false;
  // What was found and done, one line each, for a person.
  std::vector<std::string> report;
};

Result<DataDirectoryRepair> repair_data_directory(const std::filesystem::path& dir);

// Finishes a swap that --repair began and did not end; nothing otherwise.
// REQUIRES: the directory is locked (DataDirectory).
Result<void> finish_interrupted_repair(const std::filesystem::path& dir);

}  // namespace todo
