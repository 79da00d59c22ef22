#include "common/codec.hpp"

#include <cereal/details/helpers.hpp>
#include <cstdint>
#include <limits>
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
//             (its tags from version 2), for 4 (version 3) an undo: u8 change
//             (1 add, 2 update, 3 delete, 4 drop), u64 entries, then but for
//             a drop the entry as in an undo step
//   UndoStep: u32 version (3), u64 sequence, u8 change, u64 count of added
//             ids and each u64 id, u64 count of replaced entries and each
//             entry as above without its version, its u64 tag count (0 too)
//             and tags always there
//   UndoHintGroup: u32 version (3), u64 number, u64 count of hints, and each
//             hint as u64 length and bytes of the list's name, u64 first
//             step, u64 last step, u64 length and bytes of renamed_to
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
  Entry entry;                                 // the id alone, for an id
  ChangeKind undone_change = ChangeKind::add;  // for an undo
  std::uint64_t undone_entries = 0;
};

struct StoredUndoStep {
  UndoStep step;
};

struct StoredUndoHintGroup {
  UndoHintGroup group;
};

enum class AnswerTag : std::uint8_t {
  done = 0,
  id = 1,
  entry = 2,
  nothing_to_drop = 3,
  undone = 4
};

// The first version of the stored values it added.
constexpr std::uint32_t kUndoFormatVersion = 3;

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

// An entry's tag count and tags, which must come normalized.
template <class Archive>
void load_tags(Archive& archive, Entry& entry) {
  const std::size_t count = detail::load_count(archive, kMaxTagsPerEntry, kMinTagBytes, "tag");
  entry.tags.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    entry.tags.push_back(detail::load_string(archive, kMaxTagBytes, "tag"));
  }
  Result<Tags> normalized = normalized_tags(entry.tags);
  if (!normalized) throw cereal::Exception(normalized.error().message);
  if (normalized.value() != entry.tags) throw cereal::Exception("tags out of order or repeated");
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
  load_tags(archive, entry);
  if (entry.tags.empty()) {
    throw cereal::Exception("a format 2 entry without tags (written as format 1)");
  }
}

// An entry in the values of format 3, with its tag count whether or not it
// has tags.
template <class Archive>
void save_entry_with_tags(Archive& archive, const Entry& entry) {
  archive(entry.id, entry.date.days_since_epoch());
  detail::save_string(archive, entry.title);
  detail::save_bool(archive, entry.done);
  detail::save_count(archive, entry.tags.size());
  for (const std::string& tag : entry.tags) detail::save_string(archive, tag);
}

template <class Archive>
void load_entry_with_tags(Archive& archive, Entry& entry) {
  load_entry_fields(archive, entry, 1);
  load_tags(archive, entry);
}

ChangeKind load_change_kind(cereal::PortableBinaryInputArchive& archive) {
  std::uint8_t kind = 0;
  archive(kind);
  if (kind < static_cast<std::uint8_t>(ChangeKind::add) ||
      kind > static_cast<std::uint8_t>(ChangeKind::move)) {
    throw cereal::Exception("unknown change " + std::to_string(kind));
  }
  return static_cast<ChangeKind>(kind);
}

// The smallest entry with its tag count: id, date, empty title... titles are
// never empty, but a bound need only be low.
constexpr std::size_t kMinEntryWithTagsBytes = 8 + 4 + 8 + 1 + 8;

template <class Archive>
void save(Archive& archive, const StoredUndoStep& stored) {
  const UndoStep& step = stored.step;
  archive(kUndoFormatVersion, step.sequence, static_cast<std::uint8_t>(step.change));
  detail::save_count(archive, step.added.size());
  for (EntryId id : step.added) archive(id);
  detail::save_count(archive, step.replaced.size());
  for (const Entry& entry : step.replaced) save_entry_with_tags(archive, entry);
  if (step.change == ChangeKind::move) {
    detail::save_string(archive, step.other_list);
    archive(step.other_id);
  }
}

template <class Archive>
void load(Archive& archive, StoredUndoStep& stored) {
  if (detail::load_version(archive, "format", kFormatVersion) != kUndoFormatVersion) {
    throw cereal::Exception("an undo step of a format before 3 (they began with 3)");
  }
  UndoStep& step = stored.step;
  archive(step.sequence);
  step.change = load_change_kind(archive);
  const std::size_t added = detail::load_count(archive, 1, 8, "added id");
  step.added.resize(added);
  for (EntryId& id : step.added) {
    archive(id);
    if (id == 0) throw cereal::Exception("entry id 0 does not exist (ids start at 1)");
  }
  const std::size_t replaced =
      detail::load_count(archive, List::kMaxEntries, kMinEntryWithTagsBytes, "replaced entry");
  step.replaced.resize(replaced);
  for (std::size_t i = 0; i < replaced; ++i) {
    load_entry_with_tags(archive, step.replaced[i]);
    if (i > 0 && step.replaced[i].id <= step.replaced[i - 1].id) {
      throw cereal::Exception("replaced entries out of id order");
    }
  }
  // A move writes a step in both lists: the id it added to one, the entry it
  // took from the other.
  const bool is_add = step.change == ChangeKind::add || (step.change == ChangeKind::move && added);
  const bool has_one_entry = step.change == ChangeKind::update ||
                             step.change == ChangeKind::erase || step.change == ChangeKind::move;
  if (is_add ? added != 1 || replaced != 0
             : added != 0 || (has_one_entry ? replaced != 1 : replaced == 0)) {
    throw cereal::Exception("an undo step that no change makes");
  }
  if (step.change == ChangeKind::move) {
    step.other_list = detail::load_string(archive, kMaxListNameBytes, "other list");
    archive(step.other_id);
    if (step.other_list.empty() || step.other_id == 0) {
      throw cereal::Exception("a move's undo step that names no other entry");
    }
  }
}

// The smallest hint: an empty name (refused, but a bound need only be low),
// two steps and an empty renamed_to.
constexpr std::size_t kMinUndoHintBytes = 8 + 8 + 8 + 8;

template <class Archive>
void save(Archive& archive, const StoredUndoHintGroup& stored) {
  const UndoHintGroup& group = stored.group;
  archive(kUndoFormatVersion, group.number);
  detail::save_count(archive, group.hints.size());
  for (const UndoHint& hint : group.hints) {
    detail::save_string(archive, hint.list);
    archive(hint.first_step, hint.last_step);
    detail::save_string(archive, hint.renamed_to);
  }
}

template <class Archive>
void load(Archive& archive, StoredUndoHintGroup& stored) {
  if (detail::load_version(archive, "format", kFormatVersion) != kUndoFormatVersion) {
    throw cereal::Exception("undo hints of a format before 3 (they began with 3)");
  }
  UndoHintGroup& group = stored.group;
  archive(group.number);
  const std::size_t count = detail::load_count(archive, std::numeric_limits<std::uint32_t>::max(),
                                               kMinUndoHintBytes, "undo hint");
  group.hints.resize(count);
  for (UndoHint& hint : group.hints) {
    hint.list = detail::load_string(archive, kMaxListNameBytes, "list");
    archive(hint.first_step, hint.last_step);
    hint.renamed_to = detail::load_string(archive, kMaxListNameBytes, "renamed to");
    require(validate_list_name(hint.list));
    const bool is_steps = hint.first_step != 0 && hint.first_step <= hint.last_step;
    const bool is_without_steps = hint.first_step == 0 && hint.last_step == 0;
    if (hint.is_rename() ? !is_without_steps : !is_steps && !is_without_steps) {
      throw cereal::Exception("an undo hint that names neither steps, nor a rename, nor a change");
    }
    if (hint.is_rename()) require(validate_list_name(hint.renamed_to));
  }
}

template <class Archive>
void save(Archive& archive, const StoredEntry& stored) {
  archive(version_for(stored.entry));
  save_entry_fields(archive, stored.entry);
}

template <class Archive>
void load(Archive& archive, StoredEntry& stored) {
  const std::uint32_t version = detail::load_version(archive, "format", kFormatVersion);
  // Format 3 added other values: an entry is written as format 1 or 2.
  if (version == kUndoFormatVersion) {
    throw cereal::Exception("an entry of format 3 (entries are written as format 1 or 2)");
  }
  load_entry_fields(archive, stored.entry, version);
}

template <class Archive>
void save(Archive& archive, const StoredRememberedChange& stored) {
  const RememberedChange& change = stored.change;
  const bool is_undo = static_cast<AnswerTag>(stored.answer_tag) == AnswerTag::undone;
  // The entry's version: the rest is laid out alike in both.
  archive(is_undo ? kUndoFormatVersion : version_for(stored.entry), change.sequence, change.unix_ms,
          change.fingerprint, stored.answer_tag);
  switch (static_cast<AnswerTag>(stored.answer_tag)) {
    case AnswerTag::id:
      archive(stored.entry.id);
      return;
    case AnswerTag::entry:
      save_entry_fields(archive, stored.entry);
      return;
    case AnswerTag::undone:
      archive(static_cast<std::uint8_t>(stored.undone_change), stored.undone_entries);
      if (stored.undone_change != ChangeKind::drop) save_entry_with_tags(archive, stored.entry);
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
  const bool is_undo = static_cast<AnswerTag>(stored.answer_tag) == AnswerTag::undone;
  if (version == 2 && static_cast<AnswerTag>(stored.answer_tag) != AnswerTag::entry) {
    throw cereal::Exception("a format 2 remembered change that answers no entry");
  }
  if ((version == kUndoFormatVersion) != is_undo) {
    throw cereal::Exception("a remembered undo is format 3, and only it");
  }
  switch (static_cast<AnswerTag>(stored.answer_tag)) {
    case AnswerTag::undone:
      stored.undone_change = load_change_kind(archive);
      archive(stored.undone_entries);
      if (stored.undone_change != ChangeKind::drop) load_entry_with_tags(archive, stored.entry);
      return;
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
  // Formats 2 and 3 changed other values: list metadata is written as format 1.
  if (const std::uint32_t version = detail::load_version(archive, "format", kFormatVersion);
      version != 1) {
    throw cereal::Exception("list metadata of format " + std::to_string(version) +
                            " (it is written as format 1)");
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

std::string encode_undo_step(const UndoStep& step) {
  return detail::encode_portable(StoredUndoStep{step});
}

std::size_t encoded_undo_step_bytes(const UndoStep& step) {
  // Marker, version, sequence, change, and the two counts.
  std::size_t bytes = 1 + 4 + 8 + 1 + 8 + 8 + 8 * step.added.size();
  for (const Entry& entry : step.replaced) {
    // Id, day, title length and bytes, done, tag count.
    bytes += 8 + 4 + 8 + entry.title.size() + 1 + 8;
    for (const std::string& tag : entry.tags) bytes += 8 + tag.size();
  }
  if (step.change == ChangeKind::move) bytes += 8 + step.other_list.size() + 8;
  return bytes;
}

Result<UndoStep> decode_undo_step(std::string_view bytes) {
  Result<StoredUndoStep> stored = detail::decode_portable<StoredUndoStep>(bytes, "undo step");
  if (!stored) return std::move(stored).error();
  return std::move(stored).value().step;
}

std::string encode_undo_hint_group(const UndoHintGroup& group) {
  return detail::encode_portable(StoredUndoHintGroup{group});
}

Result<UndoHintGroup> decode_undo_hint_group(std::string_view bytes) {
  Result<StoredUndoHintGroup> stored =
      detail::decode_portable<StoredUndoHintGroup>(bytes, "undo hints");
  if (!stored) return std::move(stored).error();
  return std::move(stored).value().group;
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
  } else if (const auto* undone = std::get_if<Undone>(&change.answer)) {
    stored.answer_tag = static_cast<std::uint8_t>(AnswerTag::undone);
    stored.undone_change = undone->change;
    stored.undone_entries = undone->entries;
    stored.entry = undone->entry;
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
    case AnswerTag::undone:
      change.answer = Undone{value.undone_change, value.undone_entries, std::move(value.entry)};
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
