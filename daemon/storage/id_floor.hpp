// The lowest id a new entry may take, in any list: how ids stay unique after
// todod was told to accept the loss of a damaged write-ahead log
// (--accept-wal-loss, wal_replay.hpp).
//
// A list's next id is what its stored entries and metadata say
// (list_reader.hpp). When the end of a log is given up, the entries and
// metadata it held are gone, and with them the ids it acknowledged: a list
// would hand them out again, to other entries, and a list created there would
// start again from 1. No record of those ids survives, so they are skipped by
// a margin instead: each lost add took at least one byte of the log, so no
// list issued more new ids in the lost part than it has bytes. The floor
// becomes the highest next id of any list plus that many, and every list's
// next id is at least the floor from then on.
//
// The skip is noted in a file beside the database (kPendingSkipFileName),
// durably, before the open that gives the log up, and applied to the floor
// (stored under "!id_floor", storage_layout.hpp) after it: a crash in between
// finds the note at the next start and applies it then. Applying a note twice
// only skips more ids.
//
// Thread safety: functions called while the database opens, before any list
// is loaded.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/entry.hpp"
#include "common/result.hpp"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace todo {

inline constexpr const char* kPendingSkipFileName = "id-skip.pending";

// Durable before it returns: written, synced, renamed into place, the
// directory synced.
Result<void> note_pending_id_skip(const std::filesystem::path& dir, std::uint64_t skip);

// The floor, after applying a pending skip if there is one: 1 when no loss
// was ever accepted.
Result<EntryId> settle_id_floor(rocksdb::DB& db, const std::filesystem::path& dir);

}  // namespace todo
