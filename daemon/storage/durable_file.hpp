// Small files of todod's own beside RocksDB's in the data directory (the id
// skip to apply, the phase of a repair's swap) that a crash must leave whole
// or not at all: written to NAME.partial, synced, renamed over NAME, and the
// directory synced, so the new name is on disk too.
//
// Thread safety: functions; one writer per file.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.hpp"

namespace todo {

Result<void> write_durably(const std::filesystem::path& file, std::string_view contents);

// Makes the entries of dir (names created, renamed or removed) durable.
Result<void> sync_directory(const std::filesystem::path& dir);

}  // namespace todo
