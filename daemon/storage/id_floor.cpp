#include "daemon/storage/id_floor.hpp"

#include <rocksdb/db.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "common/codec.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/storage/durable_file.hpp"
#include "daemon/storage/list_reader.hpp"
#include "daemon/storage/status_message.hpp"
#include "daemon/storage/storage_layout.hpp"

namespace todo {
namespace {

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Error system_error(const std::string& what, const std::filesystem::path& path) {
  return Error::internal("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

// The highest next id of any list: for each list with metadata (every list
// that ever held an entry has some), the larger of its metadata's and one
// past its last entry's.
Result<EntryId> highest_next_id(rocksdb::DB& db, const std::filesystem::path& dir) {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> entries(db.NewIterator(read_options));
  EntryId highest = 1;
  rocksdb::Status entries_status;
  const rocksdb::Status metas_status =
      visit_meta_keys(db, read_options, "", [&](std::string_view name, rocksdb::Iterator& meta_at) {
        // Corrupt metadata says nothing; the entries still do.
        if (auto meta = decode_list_meta(meta_at.value().ToStringView())) {
          highest = std::max(highest, meta.value().next_id);
        }
        const std::string prefix = StorageLayout::entry_prefix(name);
        entries->SeekForPrev(StorageLayout::entry_prefix_end(name));
        if (entries->Valid() && entries->key().starts_with(prefix)) {
          if (auto id =
                  StorageLayout::entry_id_of_key(entries->key().ToStringView(), prefix.size())) {
            highest = std::max(highest, *id + 1);
          }
        }
        entries_status = entries->status();
        return entries_status.ok();
      });
  for (const rocksdb::Status& status : {entries_status, metas_status}) {
    if (!status.ok()) return Error::internal("cannot read " + describe_status(dir, status));
  }
  return highest;
}

}  // namespace

Result<void> note_pending_id_skip(const std::filesystem::path& dir, std::uint64_t skip) {
  return write_durably(dir / kPendingSkipFileName, std::to_string(skip) + "\n");
}

Result<EntryId> settle_id_floor(rocksdb::DB& db, const std::filesystem::path& dir) {
  EntryId floor = 1;
  std::string stored;
  const rocksdb::Status status =
      db.Get(rocksdb::ReadOptions(), std::string(StorageLayout::kIdFloorKey), &stored);
  if (status.ok()) {
    const auto parsed = parse_decimal(stored);
    if (!parsed || *parsed == 0) {
      return Error::internal("data directory " + dir.string() + " has a corrupt id floor");
    }
    floor = *parsed;
  } else if (!status.IsNotFound()) {
    return Error::internal("cannot read " + describe_status(dir, status));
  }

  const std::filesystem::path note = dir / kPendingSkipFileName;
  std::error_code exists_error;
  if (!std::filesystem::exists(note, exists_error)) {
    if (!exists_error) return floor;
    return Error::internal("cannot look for " + note.string() + ": " + exists_error.message());
  }
  // Out of descriptors, say: the skip must not be taken for absent.
  std::ifstream in(note);
  if (!in) return system_error("read", note);
  std::string text;
  std::getline(in, text);
  const auto skip = parse_decimal(text);
  if (!skip) return Error::internal(note.string() + " does not hold a number of ids to skip");
  auto highest = highest_next_id(db, dir);
  if (!highest) return highest.error();
  const EntryId raised = std::max(floor, highest.value()) + *skip;
  rocksdb::WriteOptions options;
  options.sync = true;
  const rocksdb::Status put =
      db.Put(options, std::string(StorageLayout::kIdFloorKey), std::to_string(raised));
  if (!put.ok())
    return Error::internal("cannot raise the id floor of " + describe_status(dir, put));
  if (::unlink(note.c_str()) != 0) return system_error("remove", note);
  log_event("new entries in every list in " + dir.string() + " take ids from " +
            std::to_string(raised) + " on, past any id what was lost could have held");
  return raised;
}

}  // namespace todo
