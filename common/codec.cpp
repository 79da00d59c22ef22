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
//             u64 title length, title bytes, u8 done, then in version 2
//             u64 tag count (1 or more) and each tag as u64 length and bytes
//   ListMeta: u32 version (1), u64 next_id, u64 entry_count
//   RememberedChange: u32 version, u64 sequence, i64 unix_ms, u64 fingerprint,
//             u8 answer (0 done, 1 id, 2 entry, 3 nothing to drop), then
//             for 1 the u64 id, for 2 the entry as above without its version
//             (its tags from version 2)
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

// Flat, not RememberedChange with its answer variant: gcc 12 warns, wrongly,
// of uninitialized variant members when a Result holds one that cereal filled.
struct StoredRememberedChange {
  RememberedChange change;  // answer unset: it is the fields below
  std::uint8_t answer_tag = 0;
  Entry entry;  // the id alone, for an id
};

enum class AnswerTag : std::uint8_t { done = 0, id = 1, entry = 2, nothing_to_drop = 3 };

// Turns a validation failure into the exception decode_portable() reports.
void require(const Result<void>& check) {
  if (!check) throw cereal::Exception(check.error().message);
}

// Stored tags are checked as a list keeps them: sorted, each once.
constexpr std::size_t kMinTagBytes = 8 + 1;  // a length and one byte

// Every value is written in the oldest version that holds it, so that each
// has one encoding (the decoders refuse any other), what a todod before tags
// wrote stays byte for byte what this one writes, and an older todod still
// reads a data directory in which no entry has tags.
std::uint32_t version_for(const Entry& entry) { return entry.tags.empty() ? 1 : 2; }

template <class Archive>
void save_entry_fields(Archive& archive, const Entry& entry) {
  archive(entry.id, entry.date.days_since_epoch());
  detail::save_string(archive, entry.title);
  detail::save_bool(archive, entry.done);
  if (version_for(entry) < 2) return;
  detail::save_count(archive, entry.tags.size());
  for (const std::string& tag : entry.tags) detail::save_string(archive, tag);
}

template <class Archive>
void load_entry_fields(Archive& archive, Entry& entry, std::uint32_t version) {
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
  if (version < 2) return;
  const std::size_t count = detail::load_count(archive, kMaxTagsPerEntry, kMinTagBytes, "tag");
  if (count == 0) throw cereal::Exception("a format 2 entry without tags (written as format 1)");
  entry.tags.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    entry.tags.push_back(detail::load_string(archive, kMaxTagBytes, "tag"));
  }
  Result<Tags> normalized = normalized_tags(entry.tags);
  if (!normalized) throw cereal::Exception(normalized.error().message);
  if (normalized.value() != entry.tags) throw cereal::Exception("tags out of order or repeated");
}

template <class Archive>
void save(Archive& archive, const StoredEntry& stored) {
  archive(version_for(stored.entry));
  save_entry_fields(archive, stored.entry);
}

template <class Archive>
void load(Archive& archive, StoredEntry& stored) {
  const std::uint32_t version = detail::load_version(archive, "format", kFormatVersion);
  load_entry_fields(archive, stored.entry, version);
}

template <class Archive>
void save(Archive& archive, const StoredRememberedChange& stored) {
  const RememberedChange& change = stored.change;
  // The entry's version: the rest is laid out alike in both.
  archive(version_for(stored.entry), change.sequence, change.unix_ms, change.fingerprint,
          stored.answer_tag);
  switch (static_cast<AnswerTag>(stored.answer_tag)) {
    case AnswerTag::id:
      archive(stored.entry.id);
      return;
    case AnswerTag::entry:
      save_entry_fields(archive, stored.entry);
      return;
    case AnswerTag::done:
    case AnswerTag::nothing_to_drop:
      return;
  }
}

template <class Archive>
void load(Archive& archive, StoredRememberedChange& stored) {
  const std::uint32_t version = detail::load_version(archive, "format", kFormatVersion);
  RememberedChange& change = stored.change;
  archive(change.sequence, change.unix_ms, change.fingerprint, stored.answer_tag);
  if (version >= 2 && static_cast<AnswerTag>(stored.answer_tag) != AnswerTag::entry) {
    throw cereal::Exception("a format 2 remembered change that answers no entry");
  }
  switch (static_cast<AnswerTag>(stored.answer_tag)) {
    case AnswerTag::id:
      archive(stored.entry.id);
      if (stored.entry.id == 0) {
        throw cereal::Exception("entry id 0 does not exist (ids start at 1)");
      }
      return;
    case AnswerTag::entry:
      load_entry_fields(archive, stored.entry, version);
      return;
    case AnswerTag::done:
    case AnswerTag::nothing_to_drop:
      return;
  }
  throw cereal::Exception("unknown answer " + std::to_string(stored.answer_tag));
}

template <class Archive>
void save(Archive& archive, const StoredListMeta& stored) {
  archive(std::uint32_t{1}, stored.meta.next_id, stored.meta.entry_count);
}

template <class Archive>
void load(Archive& archive, StoredListMeta& stored) {
  // Format 2 changed entries alone: list metadata is written as format 1.
  if (detail::load_version(archive, "format", kFormatVersion) != 1) {
    throw cereal::Exception("list metadata of format 2 (it is written as format 1)");
  }
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

std::string encode_remembered_change(const RememberedChange& change) {
  StoredRememberedChange stored{.change = {change.key, change.sequence, change.unix_ms,
                                           change.fingerprint, std::monostate{}}};
  if (const auto* id = std::get_if<EntryId>(&change.answer)) {
    stored.answer_tag = static_cast<std::uint8_t>(AnswerTag::id);
    stored.entry.id = *id;
  } else if (const auto* entry = std::get_if<Entry>(&change.answer)) {
    stored.answer_tag = static_cast<std::uint8_t>(AnswerTag::entry);
    stored.entry = *entry;
  } else if (std::holds_alternative<NothingToDrop>(change.answer)) {
    stored.answer_tag = static_cast<std::uint8_t>(AnswerTag::nothing_to_drop);
  } else {
    // REQUIRES: no entries read, which answer no change.
    stored.answer_tag = static_cast<std::uint8_t>(AnswerTag::done);
  }
  return detail::encode_portable(stored);
}

// gcc 12 warns, wrongly, that moving the change into its Result reads the
// answer's Entry uninitialized when another alternative is the one held;
// it began when Entry grew its tags vector. clang has no such warning and
// refuses to ignore one it does not know.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
Result<RememberedChange> decode_remembered_change(std::string_view bytes) {
  Result<StoredRememberedChange> stored =
      detail::decode_portable<StoredRememberedChange>(bytes, "remembered change");
  if (!stored) return std::move(stored).error();
  StoredRememberedChange& value = stored.value();
  RememberedChange change = std::move(value.change);
  switch (static_cast<AnswerTag>(value.answer_tag)) {
    case AnswerTag::id:
      change.answer = value.entry.id;
      break;
    case AnswerTag::entry:
      change.answer = std::move(value.entry);
      break;
    case AnswerTag::nothing_to_drop:
      change.answer = NothingToDrop{};
      break;
    case AnswerTag::done:
      break;
  }
  return change;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace todo
