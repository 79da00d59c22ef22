#include "common/protocol.hpp"

#include <bit>
#include <cstring>
#include <type_traits>

#include "common/cereal_io.hpp"
#include "common/list.hpp"
#include "common/validation.hpp"

namespace todo {
namespace {

using detail::load_bool;
using detail::load_count;
using detail::load_string;
using detail::save_bool;
using detail::save_count;
using detail::save_string;
using InArchive = cereal::PortableBinaryInputArchive;
using OutArchive = cereal::PortableBinaryOutputArchive;

// Tags on the wire: never renumber, only add.
// Tag 2 asked for every list name in one reply, however many; it is refused
// with a message saying to ask for pages (4), rather than answered with a
// first page that the asker would take for all of them.
// keyed_list is list with an idempotency key before the list name: a tag of
// its own, so that requests without a key keep their bytes.
enum class CommandTag : std::uint8_t {
  list = 1,
  list_names = 2,
  ping = 3,
  list_names_page = 4,
  keyed_list = 5,
  add_token = 6,
  list_tokens = 7,
  revoke_token = 8,
  backup = 9,
  undo_latest = 10
};
// get_page is get with a page (GetEntries::limit); get is its unpaged form.
// get_filtered is get_page with a filter (GetEntries::filter), so that reads
// without one keep their bytes.
enum class OperationTag : std::uint8_t {
  add = 1,
  get = 2,
  update = 3,
  erase = 4,
  drop = 5,
  get_page = 6,
  get_filtered = 7,
  undo = 8,
  rename = 9,
  move = 10
};
enum class PayloadTag : std::uint8_t {
  none = 0,
  id = 1,
  entry = 2,
  entries = 3,
  names = 4,
  ping = 5,
  token_secret = 6,
  tokens = 7,
  backup = 8,
  undone = 9,
  undone_in = 10
};
// Which fields an update carries.
constexpr std::uint8_t kUpdateDate = 1;
constexpr std::uint8_t kUpdateTitle = 2;
constexpr std::uint8_t kUpdateDone = 4;
// From version 3: the tags replaced (TagChange::replacement), added, removed.
constexpr std::uint8_t kUpdateTagsReplaced = 8;
constexpr std::uint8_t kUpdateTagsAdded = 16;
constexpr std::uint8_t kUpdateTagsRemoved = 32;
constexpr std::uint8_t kUpdateTagFields =
    kUpdateTagsReplaced | kUpdateTagsAdded | kUpdateTagsRemoved;
// Tags in an entry, a filter and an update came with version 3.
constexpr std::uint32_t kTagsVersion = 3;
constexpr std::size_t kMinTagBytes = 8 + 1;  // a length and one byte

// Sizes of the smallest encodings, which bound how many elements a message
// of a given size can claim to hold.
constexpr std::size_t kMinEntryBytes = 8 + 4 + 8 + 1;  // id, date, empty title, done
constexpr std::size_t kMinNameBytes = 8;               // an empty string's length
// Replies may be much larger than requests: a whole list, every list name.
constexpr std::size_t kMaxNamesInReply = 100'000'000;
// More than AccessTokens keeps.
constexpr std::size_t kMaxTokensInReply = 100'000;
constexpr std::size_t kMinTokenBytes = 8 + 8 + 1 + 8 + 8;  // name, patterns, flag, two times

// The request id sits right after the byte order marker and the version.
constexpr std::size_t kRequestIdOffset = 1 + sizeof(std::uint32_t);

// Integers as cereal's portable archive lays them out (little-endian), for
// the readers and writers that go without an archive: one move on a
// little-endian host, where gcc keeps a loop of shifts a byte at a time.
// REQUIRES: sizeof(Integer) bytes at bytes.
template <class Integer>
Integer load_little_endian(const char* bytes) {
  std::make_unsigned_t<Integer> bits = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&bits, bytes, sizeof bits);
  } else {
    for (std::size_t i = 0; i < sizeof bits; ++i) {
      bits |= static_cast<decltype(bits)>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    }
  }
  return static_cast<Integer>(bits);
}

template <class Integer>
void store_little_endian(char* bytes, Integer value) {
  auto bits = static_cast<std::make_unsigned_t<Integer>>(value);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(bytes, &bits, sizeof bits);
  } else {
    for (std::size_t i = 0; i < sizeof bits; ++i) {
      bytes[i] = static_cast<char>(bits & 0xff);
      bits = static_cast<decltype(bits)>(bits >> 8);
    }
  }
}

template <class Tag>
Tag load_tag(InArchive& archive, Tag first, Tag last, const char* what) {
  std::uint8_t raw = 0;
  archive(raw);
  if (raw < static_cast<std::uint8_t>(first) || raw > static_cast<std::uint8_t>(last)) {
    throw cereal::Exception(std::string("unknown ") + what + " " + std::to_string(raw));
  }
  return static_cast<Tag>(raw);
}

Date load_date(InArchive& archive) {
  std::int32_t days = 0;
  archive(days);
  auto date = Date::from_days_since_epoch(days);
  if (!date) throw cereal::Exception(date.error().message);
  return date.value();
}

void save_tags(OutArchive& archive, const Tags& tags) {
  save_count(archive, tags.size());
  for (const std::string& tag : tags) save_string(archive, tag);
}

// Checked by the list (or the filter) that takes them, with a message naming it.
Tags load_tags(InArchive& archive) {
  const std::size_t count = load_count(archive, kMaxTagsPerEntry, kMinTagBytes, "tag");
  Tags tags;
  tags.reserve(count);
  for (std::size_t i = 0; i < count; ++i) tags.push_back(load_string(archive, kMaxTagBytes, "tag"));
  return tags;
}

void save_entry(OutArchive& archive, const Entry& entry, std::uint32_t version) {
  archive(entry.id, entry.date.days_since_epoch());
  save_string(archive, entry.title);
  save_bool(archive, entry.done);
  if (version >= kTagsVersion) save_tags(archive, entry.tags);
}

Entry load_entry(InArchive& archive, std::uint32_t version) {
  Entry entry;
  archive(entry.id);
  entry.date = load_date(archive);
  entry.title = load_string(archive, kMaxTitleBytes, "title");
  entry.done = load_bool(archive, "done");
  if (version >= kTagsVersion) entry.tags = load_tags(archive);
  return entry;
}

void save_grant(OutArchive& archive, const TokenGrant& grant) {
  save_string(archive, grant.name);
  save_count(archive, grant.list_patterns.size());
  for (const std::string& pattern : grant.list_patterns) save_string(archive, pattern);
  save_bool(archive, grant.is_read_only);
}

TokenGrant load_grant(InArchive& archive) {
  TokenGrant grant;
  grant.name = load_string(archive, kMaxTokenNameBytes, "token name");
  const std::size_t count =
      load_count(archive, kMaxListPatternsPerToken, kMinNameBytes, "list pattern");
  for (std::size_t i = 0; i < count; ++i) {
    grant.list_patterns.push_back(load_string(archive, kMaxListNameBytes + 1, "list pattern"));
  }
  grant.is_read_only = load_bool(archive, "read-only");
  return grant;
}

void save_optional_date(OutArchive& archive, const std::optional<Date>& date) {
  save_bool(archive, date.has_value());
  if (date) archive(date->days_since_epoch());
}

std::optional<Date> load_optional_date(InArchive& archive, const char* what) {
  if (!load_bool(archive, what)) return std::nullopt;
  return load_date(archive);
}

void save_filtered_get(OutArchive& archive, const GetEntries& get, const EntryFilter& filter,
                       std::uint32_t version) {
  archive(static_cast<std::uint8_t>(OperationTag::get_filtered));
  save_optional_date(archive, get.date);
  archive(get.after, get.limit, static_cast<std::uint8_t>(filter.done));
  save_optional_date(archive, filter.from);
  save_optional_date(archive, filter.to);
  save_string(archive, filter.search);
  if (version >= kTagsVersion) save_tags(archive, filter.tags);
}

// A page of entries holds 1 to GetEntries::kMaxLimit of them.
void check_page_limit(std::uint32_t limit) {
  if (limit == 0 || limit > GetEntries::kMaxLimit) {
    throw cereal::Exception("a page of entries holds 1 to " +
                            std::to_string(GetEntries::kMaxLimit) + " entries, not " +
                            std::to_string(limit));
  }
}

GetEntries load_filtered_get(InArchive& archive, std::uint32_t version) {
  GetEntries get;
  get.date = load_optional_date(archive, "has date");
  std::uint8_t done = 0;
  archive(get.after, get.limit, done);
  // 0 is every match, in one reply, as an unpaged read is every entry.
  if (get.limit != 0) check_page_limit(get.limit);
  if (get.limit == 0 && get.after != 0) {
    throw cereal::Exception("entries after an id are asked for by the page, with a limit");
  }
  if (done > static_cast<std::uint8_t>(DoneState::done)) {
    throw cereal::Exception("unknown done state " + std::to_string(done));
  }
  EntryFilter filter;
  filter.done = static_cast<DoneState>(done);
  filter.from = load_optional_date(archive, "has from");
  filter.to = load_optional_date(archive, "has to");
  filter.search = load_string(archive, EntryFilter::kMaxSearchBytes, "search text");
  if (version >= kTagsVersion) filter.tags = load_tags(archive);
  if (auto valid = validate_entry_filter(filter); !valid) {
    throw cereal::Exception(valid.error().message);
  }
  get.filter = std::make_shared<const EntryFilter>(std::move(filter));
  return get;
}

void save_tag_change(OutArchive& archive, const TagChange& change) {
  if (change.replacement) save_tags(archive, *change.replacement);
  if (!change.added.empty()) save_tags(archive, change.added);
  if (!change.removed.empty()) save_tags(archive, change.removed);
}

std::uint8_t tag_change_fields(const TagChange* change) {
  if (change == nullptr) return 0;
  return (change->replacement ? kUpdateTagsReplaced : 0) |
         (change->added.empty() ? 0 : kUpdateTagsAdded) |
         (change->removed.empty() ? 0 : kUpdateTagsRemoved);
}

std::shared_ptr<const TagChange> load_tag_change(InArchive& archive, std::uint8_t fields) {
  if ((fields & kUpdateTagFields) == 0) return nullptr;
  TagChange change;
  if ((fields & kUpdateTagsReplaced) != 0) change.replacement = load_tags(archive);
  // Tags to add or remove are flagged only when there are some, so that each
  // update has one encoding; replacing with none clears them.
  const auto some_tags = [&archive](const char* what) {
    Tags tags = load_tags(archive);
    if (tags.empty()) throw cereal::Exception(std::string("no tags ") + what + " where flagged");
    return tags;
  };
  if ((fields & kUpdateTagsAdded) != 0) change.added = some_tags("to add");
  if ((fields & kUpdateTagsRemoved) != 0) change.removed = some_tags("to remove");
  return std::make_shared<const TagChange>(std::move(change));
}

// Before version 3 an operation has no tags: those of one encoded in an
// older version are left out.
void save_operation(OutArchive& archive, const ListOperation& operation, std::uint32_t version) {
  const bool has_tags = version >= kTagsVersion;
  std::visit(
      [&](const auto& op) {
        using Op = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<Op, AddEntry>) {
          archive(static_cast<std::uint8_t>(OperationTag::add), op.date.days_since_epoch());
          save_string(archive, op.title);
          if (has_tags) save_tags(archive, op.tags);
        } else if constexpr (std::is_same_v<Op, GetEntries>) {
          if (op.filter) {
            save_filtered_get(archive, op, *op.filter, version);
            return;
          }
          const bool is_page = op.limit != 0 || op.after != 0;
          archive(static_cast<std::uint8_t>(is_page ? OperationTag::get_page : OperationTag::get));
          save_optional_date(archive, op.date);
          if (is_page) archive(op.after, op.limit);
        } else if constexpr (std::is_same_v<Op, UpdateEntry>) {
          const std::uint8_t fields = (op.change.date ? kUpdateDate : 0) |
                                      (op.change.title ? kUpdateTitle : 0) |
                                      (op.change.done ? kUpdateDone : 0) |
                                      (has_tags ? tag_change_fields(op.change.tags.get()) : 0);
          archive(static_cast<std::uint8_t>(OperationTag::update), op.id, fields);
          if (op.change.date) archive(op.change.date->days_since_epoch());
          if (op.change.title) save_string(archive, *op.change.title);
          if (op.change.done) save_bool(archive, *op.change.done);
          if ((fields & kUpdateTagFields) != 0) save_tag_change(archive, *op.change.tags);
        } else if constexpr (std::is_same_v<Op, DeleteEntry>) {
          archive(static_cast<std::uint8_t>(OperationTag::erase), op.id);
        } else if constexpr (std::is_same_v<Op, DropList>) {
          archive(static_cast<std::uint8_t>(OperationTag::drop));
        } else if constexpr (std::is_same_v<Op, UndoChange>) {
          archive(static_cast<std::uint8_t>(OperationTag::undo));
        } else if constexpr (std::is_same_v<Op, RenameList>) {
          archive(static_cast<std::uint8_t>(OperationTag::rename));
          save_string(archive, op.new_name);
        } else {
          static_assert(std::is_same_v<Op, MoveEntry>);
          archive(static_cast<std::uint8_t>(OperationTag::move), op.id);
          save_string(archive, op.destination);
        }
      },
      operation);
}

ListOperation load_operation(InArchive& archive, std::uint32_t version) {
  const bool has_tags = version >= kTagsVersion;
  switch (load_tag(archive, OperationTag::add, OperationTag::move, "operation")) {
    case OperationTag::add: {
      AddEntry add;
      add.date = load_date(archive);
      add.title = load_string(archive, kMaxRequestBytes, "title");
      if (has_tags) add.tags = load_tags(archive);
      return add;
    }
    case OperationTag::get: {
      GetEntries get;
      get.date = load_optional_date(archive, "has date");
      return get;
    }
    case OperationTag::update: {
      UpdateEntry update;
      std::uint8_t fields = 0;
      archive(update.id, fields);
      const std::uint8_t known =
          kUpdateDate | kUpdateTitle | kUpdateDone | (has_tags ? kUpdateTagFields : 0);
      if ((fields & ~known) != 0) {
        throw cereal::Exception("unknown update fields " + std::to_string(fields));
      }
      if ((fields & kUpdateDate) != 0) update.change.date = load_date(archive);
      if ((fields & kUpdateTitle) != 0) {
        update.change.title = load_string(archive, kMaxRequestBytes, "title");
      }
      if ((fields & kUpdateDone) != 0) update.change.done = load_bool(archive, "done");
      update.change.tags = load_tag_change(archive, fields);
      return update;
    }
    case OperationTag::erase: {
      DeleteEntry erase;
      archive(erase.id);
      return erase;
    }
    case OperationTag::drop:
      return DropList{};
    case OperationTag::get_page: {
      GetEntries get;
      get.date = load_optional_date(archive, "has date");
      archive(get.after, get.limit);
      check_page_limit(get.limit);
      return get;
    }
    case OperationTag::get_filtered:
      return load_filtered_get(archive, version);
    case OperationTag::undo:
      return UndoChange{};
    case OperationTag::rename:
      return RenameList{load_string(archive, kMaxRequestBytes, "new list name")};
    case OperationTag::move: {
      MoveEntry move;
      archive(move.id);
      move.destination = load_string(archive, kMaxRequestBytes, "destination list name");
      return move;
    }
  }
  throw cereal::Exception("unknown operation");
}

struct WireRequest {
  Request request;
};

// The count, then the entries: the part of a reply's entries payload after
// its tag. EntriesEncoder writes the same layout without an archive.
void save_entries(OutArchive& archive, std::span<const Entry> entries, std::uint32_t version) {
  save_count(archive, entries.size());
  for (const Entry& entry : entries) save_entry(archive, entry, version);
}

std::vector<Entry> load_entries(InArchive& archive, std::uint32_t version) {
  const std::size_t count = load_count(archive, List::kMaxEntries, kMinEntryBytes, "entry");
  std::vector<Entry> entries;
  entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) entries.push_back(load_entry(archive, version));
  return entries;
}

struct DecodedEntries {
  std::vector<Entry> entries;
};

template <class Archive>
void load(Archive& archive, DecodedEntries& decoded) {
  // The layout EntriesEncoder writes, that of this version.
  decoded.entries = load_entries(archive, kProtocolVersion);
}

// What a reply is decoded into.
struct WireReply {
  Reply reply;
  std::uint32_t version = kProtocolVersion;
};

// Entries an actor encoded, in the layout of the versions before tags, for a
// client that speaks one of them.
void save_entries_without_tags(OutArchive& archive, const EncodedEntries& encoded) {
  Result<std::vector<EntryView>> entries = view_entries(encoded);
  if (!entries) throw cereal::Exception(entries.error().message);
  save_count(archive, entries.value().size());
  for (const EntryView& entry : entries.value()) {
    archive(entry.id, entry.date.days_since_epoch());
    save_string(archive, entry.title);
    save_bool(archive, entry.done);
  }
}

// What a reply is encoded from, by reference: a page of names is not copied.
struct OutgoingWireReply {
  const Reply& reply;
  std::uint32_t version = kProtocolVersion;
  // Stop after the entries payload's tag: the entries go as a frame of their
  // own (ReplyFrames::shared).
  bool leaves_out_entries = false;
};

template <class Archive>
void save(Archive& archive, const WireRequest& wire) {
  archive(wire.request.protocol_version, wire.request.id);
  std::visit(
      [&](const auto& command) {
        using C = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<C, ListCommand>) {
          if (command.key) {
            archive(static_cast<std::uint8_t>(CommandTag::keyed_list), command.key->high,
                    command.key->low);
          } else {
            archive(static_cast<std::uint8_t>(CommandTag::list));
          }
          save_string(archive, command.list);
          save_operation(archive, command.operation, wire.request.protocol_version);
        } else if constexpr (std::is_same_v<C, ListNames>) {
          archive(static_cast<std::uint8_t>(CommandTag::list_names_page));
          save_string(archive, command.after);
          archive(command.limit);
        } else if constexpr (std::is_same_v<C, Ping>) {
          archive(static_cast<std::uint8_t>(CommandTag::ping));
        } else if constexpr (std::is_same_v<C, AddToken>) {
          archive(static_cast<std::uint8_t>(CommandTag::add_token));
          save_grant(archive, command.grant);
        } else if constexpr (std::is_same_v<C, ListTokens>) {
          archive(static_cast<std::uint8_t>(CommandTag::list_tokens));
        } else if constexpr (std::is_same_v<C, RevokeToken>) {
          archive(static_cast<std::uint8_t>(CommandTag::revoke_token));
          save_string(archive, command.name);
        } else if constexpr (std::is_same_v<C, MakeBackup>) {
          archive(static_cast<std::uint8_t>(CommandTag::backup));
          save_string(archive, command.directory);
          archive(command.keep);
        } else {
          static_assert(std::is_same_v<C, UndoLatest>);
          archive(static_cast<std::uint8_t>(CommandTag::undo_latest));
          save_bool(archive, command.key.has_value());
          if (command.key) archive(command.key->high, command.key->low);
        }
      },
      wire.request.command);
}

template <class Archive>
void load(Archive& archive, WireRequest& wire) {
  wire.request.protocol_version = detail::load_version(archive, "protocol", kProtocolVersion);
  archive(wire.request.id);
  switch (load_tag(archive, CommandTag::list, CommandTag::undo_latest, "command")) {
    case CommandTag::list: {
      ListCommand command;
      command.list = load_string(archive, kMaxRequestBytes, "list name");
      command.operation = load_operation(archive, wire.request.protocol_version);
      wire.request.command = std::move(command);
      return;
    }
    case CommandTag::keyed_list: {
      ListCommand command;
      IdempotencyKey key;
      archive(key.high, key.low);
      command.key = key;
      command.list = load_string(archive, kMaxRequestBytes, "list name");
      command.operation = load_operation(archive, wire.request.protocol_version);
      if (!is_change(command.operation)) {
        throw cereal::Exception(
            "an idempotency key goes only with a change (add, update, delete, drop, undo): a read "
            "is safe to send again without one");
      }
      wire.request.command = std::move(command);
      return;
    }
    case CommandTag::list_names:
      throw cereal::Exception(
          "command 2 (every list name in one reply) is no longer answered: ask for pages of "
          "names (command 4)");
    case CommandTag::list_names_page: {
      ListNames command;
      command.after = load_string(archive, kMaxRequestBytes, "list name");
      archive(command.limit);
      if (command.limit == 0 || command.limit > ListNames::kMaxLimit) {
        throw cereal::Exception("a page of list names holds 1 to " +
                                std::to_string(ListNames::kMaxLimit) + " names, not " +
                                std::to_string(command.limit));
      }
      wire.request.command = std::move(command);
      return;
    }
    case CommandTag::ping:
      wire.request.command = Ping{};
      return;
    case CommandTag::add_token:
      wire.request.command = AddToken{load_grant(archive)};
      return;
    case CommandTag::list_tokens:
      wire.request.command = ListTokens{};
      return;
    case CommandTag::revoke_token:
      wire.request.command = RevokeToken{load_string(archive, kMaxTokenNameBytes, "token name")};
      return;
    case CommandTag::backup: {
      MakeBackup command;
      command.directory = load_string(archive, MakeBackup::kMaxDirectoryBytes, "backup directory");
      archive(command.keep);
      if (command.directory.empty() || command.directory.front() != '/') {
        throw cereal::Exception("the backup directory must be an absolute path, not '" +
                                command.directory + "'");
      }
      if (command.directory.find('\0') != std::string::npos) {
        throw cereal::Exception("the backup directory holds a NUL byte");
      }
      wire.request.command = std::move(command);
      return;
    }
    case CommandTag::undo_latest: {
      UndoLatest command;
      if (load_bool(archive, "has key")) {
        IdempotencyKey key;
        archive(key.high, key.low);
        command.key = key;
      }
      wire.request.command = command;
      return;
    }
  }
}

template <class Archive>
void save(Archive& archive, const OutgoingWireReply& wire) {
  const Reply& reply = wire.reply;
  archive(wire.version, reply.request_id, static_cast<std::uint8_t>(reply.status));
  save_string(archive, reply.message);
  std::visit(
      [&](const auto& payload) {
        using P = std::decay_t<decltype(payload)>;
        if constexpr (std::is_same_v<P, std::monostate>) {
          archive(static_cast<std::uint8_t>(PayloadTag::none));
        } else if constexpr (std::is_same_v<P, EntryId>) {
          archive(static_cast<std::uint8_t>(PayloadTag::id), payload);
        } else if constexpr (std::is_same_v<P, Entry>) {
          archive(static_cast<std::uint8_t>(PayloadTag::entry));
          save_entry(archive, payload, wire.version);
        } else if constexpr (std::is_same_v<P, std::vector<Entry>>) {
          archive(static_cast<std::uint8_t>(PayloadTag::entries));
          save_entries(archive, payload, wire.version);
        } else if constexpr (std::is_same_v<P, EncodedEntries>) {
          archive(static_cast<std::uint8_t>(PayloadTag::entries));
          if (!payload.bytes || payload.bytes->empty() ||
              payload.bytes->front() != detail::kLittleEndianMarker) {
            throw cereal::Exception("entries to send were not made by encode_entries");
          }
          if (wire.leaves_out_entries) return;
          if (wire.version < kTagsVersion) {
            save_entries_without_tags(archive, payload);
            return;
          }
          // Past its own byte order marker, which this archive wrote already.
          const std::string_view bytes = std::string_view(*payload.bytes).substr(1);
          archive(cereal::binary_data(bytes.data(), bytes.size()));
        } else if constexpr (std::is_same_v<P, std::vector<std::string>>) {
          archive(static_cast<std::uint8_t>(PayloadTag::names));
          save_count(archive, payload.size());
          for (const std::string& name : payload) save_string(archive, name);
        } else if constexpr (std::is_same_v<P, TokenSecret>) {
          archive(static_cast<std::uint8_t>(PayloadTag::token_secret));
          save_string(archive, payload.secret);
        } else if constexpr (std::is_same_v<P, std::vector<TokenInfo>>) {
          archive(static_cast<std::uint8_t>(PayloadTag::tokens));
          save_count(archive, payload.size());
          for (const TokenInfo& token : payload) {
            save_grant(archive, token.grant);
            archive(token.created_unix, token.last_used_unix);
          }
        } else if constexpr (std::is_same_v<P, BackupMade>) {
          archive(static_cast<std::uint8_t>(PayloadTag::backup), payload.id, payload.bytes,
                  payload.files, payload.backups_kept);
        } else if constexpr (std::is_same_v<P, Undone>) {
          // Only the answer to an undo, which only a client that knows the
          // payload sends.
          archive(static_cast<std::uint8_t>(PayloadTag::undone),
                  static_cast<std::uint8_t>(payload.change), payload.entries);
          save_entry(archive, payload.entry, wire.version);
        } else if constexpr (std::is_same_v<P, UndoneIn>) {
          archive(static_cast<std::uint8_t>(PayloadTag::undone_in));
          save_string(archive, payload.list);
          archive(static_cast<std::uint8_t>(payload.undone.change), payload.undone.entries);
          save_entry(archive, payload.undone.entry, wire.version);
        } else {
          static_assert(std::is_same_v<P, PingInfo>);
          archive(static_cast<std::uint8_t>(PayloadTag::ping));
          save_string(archive, payload.version);
          archive(payload.uptime_ms, payload.lists_in_memory, payload.requests_served,
                  payload.errors, payload.busy_refusals, payload.database_batches,
                  payload.database_writes, payload.actor_restarts, payload.lists_expired,
                  payload.p99_latency_us, payload.resident_bytes);
          if (wire.version >= 2) save_string(archive, payload.degraded);
        }
      },
      reply.payload);
}

// An undo's answer after its payload tag (and, for UndoneIn, its list).
template <class Archive>
Undone load_undone(Archive& archive, std::uint32_t version) {
  Undone undone;
  undone.change = load_tag(archive, ChangeKind::add, ChangeKind::move, "change");
  archive(undone.entries);
  undone.entry = load_entry(archive, version);
  return undone;
}

template <class Archive>
void load(Archive& archive, WireReply& wire) {
  wire.version = detail::load_version(archive, "protocol", kProtocolVersion);
  Reply& reply = wire.reply;
  archive(reply.request_id);
  reply.status = load_tag(archive, StatusCode::ok, StatusCode::internal, "status");
  reply.message = load_string(archive, kMaxRequestBytes, "message");
  switch (load_tag(archive, PayloadTag::none, PayloadTag::undone_in, "payload")) {
    case PayloadTag::none:
      return;
    case PayloadTag::id: {
      EntryId id = 0;
      archive(id);
      reply.payload = id;
      return;
    }
    case PayloadTag::entry:
      reply.payload = load_entry(archive, wire.version);
      return;
    case PayloadTag::entries:
      reply.payload = load_entries(archive, wire.version);
      return;
    case PayloadTag::names: {
      const std::size_t count = load_count(archive, kMaxNamesInReply, kMinNameBytes, "name");
      std::vector<std::string> names;
      names.reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        names.push_back(load_string(archive, kMaxListNameBytes, "list name"));
      }
      reply.payload = std::move(names);
      return;
    }
    case PayloadTag::ping: {
      PingInfo ping;
      ping.version = load_string(archive, 64, "version");
      archive(ping.uptime_ms, ping.lists_in_memory, ping.requests_served, ping.errors,
              ping.busy_refusals, ping.database_batches, ping.database_writes, ping.actor_restarts,
              ping.lists_expired, ping.p99_latency_us, ping.resident_bytes);
      if (wire.version >= 2) ping.degraded = load_string(archive, kMaxRequestBytes, "degraded");
      reply.payload = std::move(ping);
      return;
    }
    case PayloadTag::token_secret:
      reply.payload = TokenSecret{load_string(archive, kMaxRequestBytes, "token secret")};
      return;
    case PayloadTag::tokens: {
      const std::size_t count = load_count(archive, kMaxTokensInReply, kMinTokenBytes, "token");
      std::vector<TokenInfo> tokens;
      tokens.reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        TokenInfo token;
        token.grant = load_grant(archive);
        archive(token.created_unix, token.last_used_unix);
        tokens.push_back(std::move(token));
      }
      reply.payload = std::move(tokens);
      return;
    }
    case PayloadTag::backup: {
      BackupMade backup;
      archive(backup.id, backup.bytes, backup.files, backup.backups_kept);
      reply.payload = backup;
      return;
    }
    case PayloadTag::undone:
      reply.payload = load_undone(archive, wire.version);
      return;
    case PayloadTag::undone_in: {
      UndoneIn undone;
      undone.list = load_string(archive, kMaxListNameBytes, "list name");
      undone.undone = load_undone(archive, wire.version);
      reply.payload = std::move(undone);
      return;
    }
  }
}

}  // namespace

std::string encode_request(const Request& request) {
  return detail::encode_portable(WireRequest{request});
}

Result<Request> decode_request(std::string_view bytes) {
  auto wire = detail::decode_portable<WireRequest>(bytes, "request");
  if (!wire) return std::move(wire).error();
  return std::move(wire).value().request;
}

ReplyFrames encode_reply_frames(const Reply& reply, std::uint32_t version) {
  const auto* entries = std::get_if<EncodedEntries>(&reply.payload);
  // Before tags, the entries' bytes are not the ones the actor encoded.
  if (version < kTagsVersion || entries == nullptr || !entries->bytes ||
      entries->bytes->size() < kSeparateFrameBytes) {
    return {detail::encode_portable(OutgoingWireReply{reply, version}), nullptr, 0};
  }
  // Past the entries' own byte order marker, as when they are inlined.
  return {detail::encode_portable(OutgoingWireReply{reply, version, true}), entries->bytes, 1};
}

std::string encode_reply(const Reply& reply, std::uint32_t version) {
  ReplyFrames frames = encode_reply_frames(reply, version);
  if (frames.shared)
    frames.head.append(std::string_view(*frames.shared).substr(frames.shared_offset));
  return std::move(frames.head);
}

Result<Reply> decode_reply(std::string_view bytes) {
  auto wire = detail::decode_portable<WireReply>(bytes, "reply");
  if (!wire) return std::move(wire).error();
  return std::move(wire).value().reply;
}

namespace {

// Where EntriesEncoder's count goes: after the byte order marker.
constexpr std::size_t kCountOffset = 1;

template <class Integer>
void append_little_endian(std::string& bytes, Integer value) {
  char little[sizeof(Integer)];
  store_little_endian(little, value);
  bytes.append(little, sizeof little);
}

}  // namespace

EntriesEncoder::EntriesEncoder() {
  bytes_.push_back(detail::kLittleEndianMarker);
  append_little_endian(bytes_, std::uint64_t{0});  // the count, filled in by finish()
}

void EntriesEncoder::add(const Entry& entry) {
  append_little_endian(bytes_, entry.id);
  append_little_endian(bytes_, entry.date.days_since_epoch());
  append_little_endian(bytes_, static_cast<std::uint64_t>(entry.title.size()));
  bytes_.append(entry.title);
  bytes_.push_back(static_cast<char>(entry.done ? 1 : 0));
  append_little_endian(bytes_, static_cast<std::uint64_t>(entry.tags.size()));
  for (const std::string& tag : entry.tags) {
    append_little_endian(bytes_, static_cast<std::uint64_t>(tag.size()));
    bytes_.append(tag);
  }
  ++count_;
}

EncodedEntries EntriesEncoder::finish() && {
  store_little_endian(bytes_.data() + kCountOffset, count_);
  return {std::make_shared<const std::string>(std::move(bytes_))};
}

EncodedEntries encode_entries(std::span<const Entry> entries) {
  EntriesEncoder encoder;
  for (const Entry& entry : entries) encoder.add(entry);
  return std::move(encoder).finish();
}

Result<std::vector<Entry>> decode_entries(const EncodedEntries& encoded) {
  if (!encoded.bytes) return Error::invalid("corrupt entries: no bytes");
  auto decoded = detail::decode_portable<DecodedEntries>(*encoded.bytes, "entries");
  if (!decoded) return std::move(decoded).error();
  return std::move(decoded).value().entries;
}

namespace {

// Reads the layout save_entries() writes, little-endian, checking each field
// as load_entry() does.
class EntryReader {
 public:
  explicit EntryReader(std::string_view bytes) : bytes_(bytes) {}

  Result<std::vector<EntryView>> read() {
    if (bytes_.empty() || bytes_.front() != detail::kLittleEndianMarker) {
      return corrupt("no byte order marker");
    }
    offset_ = 1;
    std::uint64_t count = 0;
    if (!read_integer(count)) return corrupt("cut short in the count");
    if (count > List::kMaxEntries || count > remaining() / kMinEntryBytes) {
      return corrupt("entry count " + std::to_string(count) + " does not fit");
    }
    std::vector<EntryView> entries(static_cast<std::size_t>(count));
    for (EntryView& entry : entries) {
      std::int32_t days = 0;
      std::uint64_t title_bytes = 0;
      std::uint8_t done = 0;
      if (!read_integer(entry.id) || !read_integer(days) || !read_integer(title_bytes)) {
        return corrupt("cut short in an entry");
      }
      auto date = Date::from_days_since_epoch(days);
      if (!date) return corrupt(date.error().message);
      entry.date = date.value();
      if (title_bytes > kMaxTitleBytes || title_bytes > remaining()) {
        return corrupt("title length " + std::to_string(title_bytes) + " does not fit");
      }
      entry.title = bytes_.substr(offset_, static_cast<std::size_t>(title_bytes));
      offset_ += static_cast<std::size_t>(title_bytes);
      if (!read_integer(done) || done > 1) return corrupt("done is not a bool");
      entry.done = done == 1;
      std::uint64_t tag_count = 0;
      if (!read_integer(tag_count)) return corrupt("cut short in an entry's tags");
      if (tag_count > kMaxTagsPerEntry) {
        return corrupt("tag count " + std::to_string(tag_count) + " does not fit");
      }
      entry.tags.resize(static_cast<std::size_t>(tag_count));
      for (std::string_view& tag : entry.tags) {
        std::uint64_t tag_bytes = 0;
        if (!read_integer(tag_bytes)) return corrupt("cut short in an entry's tags");
        if (tag_bytes > kMaxTagBytes || tag_bytes > remaining()) {
          return corrupt("tag length " + std::to_string(tag_bytes) + " does not fit");
        }
        tag = bytes_.substr(offset_, static_cast<std::size_t>(tag_bytes));
        offset_ += static_cast<std::size_t>(tag_bytes);
      }
    }
    if (offset_ != bytes_.size()) return corrupt("bytes after the last entry");
    return entries;
  }

 private:
  static Error corrupt(const std::string& why) { return Error::invalid("corrupt entries: " + why); }

  std::size_t remaining() const { return bytes_.size() - offset_; }

  template <class Integer>
  bool read_integer(Integer& value) {
    if (remaining() < sizeof(Integer)) return false;
    value = load_little_endian<Integer>(bytes_.data() + offset_);
    offset_ += sizeof(Integer);
    return true;
  }

  std::string_view bytes_;
  std::size_t offset_ = 0;
};

}  // namespace

Result<std::vector<EntryView>> view_entries(const EncodedEntries& encoded) {
  if (!encoded.bytes) return Error::invalid("corrupt entries: no bytes");
  return EntryReader(*encoded.bytes).read();
}

std::optional<std::uint64_t> peek_request_id(std::string_view bytes) {
  if (bytes.size() < kRequestIdOffset + sizeof(std::uint64_t)) return std::nullopt;
  if (bytes.front() != detail::kLittleEndianMarker) return std::nullopt;
  return load_little_endian<std::uint64_t>(bytes.data() + kRequestIdOffset);
}

std::uint32_t reply_version_for(std::string_view bytes) {
  // Version 1 is the one every client reads.
  if (bytes.size() < kRequestIdOffset || bytes.front() != detail::kLittleEndianMarker) return 1;
  const auto version = load_little_endian<std::uint32_t>(bytes.data() + 1);
  return version >= 1 && version <= kProtocolVersion ? version : 1;
}

}  // namespace todo
