#include "common/codec.hpp"

#include <cereal/details/helpers.hpp>
#include <cstdint>
#include <string>
#include <utility>

#include "common/cereal_io.hpp"
#include "common/date.hpp"
#include "common/list.hpp"
#include "common/validation.hpp"

namespace todo {
namespace {

// Layout (after cereal's one-byte byte order marker, all little-endian):
//   Entry:    u32 version, u64 id, i32 days since 1970-01-01,
//             u64 title length, title bytes, u8 done
//   ListMeta: u32 version, u64 next_id, u64 entry_count
//
// The stored forms are types of their own, so that the format version belongs
// to the stored value and not to Entry, which the wire protocol lays out its
// own way.
struct StoredEntry {
  Entry entry;
};

struct StoredListMeta {
  ListMeta meta;
};

// Turns a validation failure into the exception decode_portable() reports.
void require(const Result<void>& check) {
  if (!check) throw cereal::Exception(check.error().message);
}

template <class Archive>
void save(Archive& archive, const StoredEntry& stored) {
  const Entry& entry = stored.entry;
  archive(kFormatVersion, entry.id, entry.date.days_since_epoch());
  detail::save_string(archive, entry.title);
  detail::save_bool(archive, entry.done);
}

template <class Archive>
void load(Archive& archive, StoredEntry& stored) {
  // Version 1 is the only layout so far; a later one will branch on it.
  detail::load_version(archive, "format", kFormatVersion);
  Entry& entry = stored.entry;
  archive(entry.id);
  if (entry.id == 0) throw cereal::Exception("entry id 0 does not exist (ids start at 1)");
  std::int32_t days = 0;
  archive(days);
  Result<Date> date = Date::from_days_since_epoch(days);
  if (!date) throw cereal::Exception(date.error().message);
  entry.date = date.value();
  entry.title = detail::load_string(archive, kMaxTitleBytes, "title");
  require(validate_title(entry.title));
  entry.done = detail::load_bool(archive, "done");
}

template <class Archive>
void save(Archive& archive, const StoredListMeta& stored) {
  archive(kFormatVersion, stored.meta.next_id, stored.meta.entry_count);
}

template <class Archive>
void load(Archive& archive, StoredListMeta& stored) {
  // Version 1 is the only layout so far; a later one will branch on it.
  detail::load_version(archive, "format", kFormatVersion);
  ListMeta& meta = stored.meta;
  archive(meta.next_id, meta.entry_count);
  if (meta.next_id == 0) throw cereal::Exception("next id 0 (ids start at 1)");
  if (meta.entry_count > List::kMaxEntries) {
    throw cereal::Exception("entry count " + std::to_string(meta.entry_count) +
                            " exceeds the limit of " + std::to_string(List::kMaxEntries));
  }
  // Ids 1..next_id-1 are all a list has handed out, and each entry has one.
  if (meta.entry_count >= meta.next_id) {
    throw cereal::Exception("entry count " + std::to_string(meta.entry_count) +
                            " is not below next id " + std::to_string(meta.next_id));
  }
}

}  // namespace

std::string encode_entry(const Entry& entry) { return detail::encode_portable(StoredEntry{entry}); }

Result<Entry> decode_entry(std::string_view bytes) {
  Result<StoredEntry> stored = detail::decode_portable<StoredEntry>(bytes, "entry");
  if (!stored) return std::move(stored).error();
  return std::move(stored).value().entry;
}

std::string encode_list_meta(const ListMeta& meta) {
  return detail::encode_portable(StoredListMeta{meta});
}

Result<ListMeta> decode_list_meta(std::string_view bytes) {
  Result<StoredListMeta> stored = detail::decode_portable<StoredListMeta>(bytes, "list metadata");
  if (!stored) return std::move(stored).error();
  return stored.value().meta;
}

}  // namespace todo
