// Where a list lives in RocksDB. Each list keeps one metadata key and one key
// per entry under its own prefix, so a change writes only the entries it
// touches: adding to a list of 10,000 entries costs what adding to an empty one
// does (docs/architecture.md says why this layout rather than a merge operator).
//
//   "!format"                    decimal format version of the data directory
//   "!id_floor"                  decimal lowest id a new entry may take (id_floor.hpp)
//   'm' name                     ListMeta (codec.hpp)
//   'e' name '\0' id(8 bytes BE)  Entry (codec.hpp)
//   'k' name '\0' key(16 bytes BE) RememberedChange (codec.hpp): a change
//                                 that came with an idempotency key
//                                 (remembered_changes.hpp)
//   'u' name '\0' slot(1 byte)    UndoStep (codec.hpp): what reverts one of
//                                 the list's last changes (undo_journal.hpp)
//   "!undo_order/" worker(1 byte) slot(1 byte)
//                                 UndoHintGroup (codec.hpp): which lists a
//                                 group commit of that worker wrote undo
//                                 steps for (undo_order.hpp)
//
// Layout version 2 (the "!format" value, layout_version.hpp): a list's
// metadata is written only when its entries cannot tell it, so an add to a
// list that holds entries writes one key. ListMutations writes by that rule
// (list_mutations.hpp) and restore_list reads by it (list_reader.hpp). Version
// 1 wrote the metadata with every change; its directories read the same way
// and are marked 2 when opened, so that a todo that expects version 1 refuses
// them. The 'k' keys need no new version: a todod that does not know them
// never reads them, and only forgets what retries it would have answered.
// Nor do the 'u' and "!undo_order/" keys: a todod that does not know them changes the list
// without a step, and the journal no longer matches it, which an undo finds
// (undo_journal.hpp).
//
// List names never contain control characters, so the '\0' after the name
// ends it unambiguously ("bob" and "bobby" have disjoint prefixes) and
// big-endian ids make RocksDB's key order the id order.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/entry.hpp"
#include "common/idempotency_key.hpp"

namespace todo {

class StorageLayout {
 public:
  static constexpr std::string_view kFormatKey = "!format";
  static constexpr std::string_view kIdFloorKey = "!id_floor";
  static constexpr std::uint32_t kLayoutVersion = 2;
  static constexpr char kMetaTag = 'm';
  static constexpr char kEntryTag = 'e';
  static constexpr char kRememberedTag = 'k';
  static constexpr char kUndoTag = 'u';
  static constexpr std::string_view kUndoOrderPrefix = "!undo_order/";

  static std::string meta_key(std::string_view list_name);
  // The list name a metadata key belongs to.
  static std::string_view list_name_of_meta_key(std::string_view key);
  static std::string entry_key(std::string_view list_name, EntryId id);
  // Every entry key of the list starts with this prefix ...
  static std::string entry_prefix(std::string_view list_name);
  // ... and sorts before this one.
  static std::string entry_prefix_end(std::string_view list_name);
  // The id in an entry key whose prefix is prefix_size bytes long.
  static std::optional<EntryId> entry_id_of_key(std::string_view key, std::size_t prefix_size);

  // Where the list remembers the change that came with this idempotency key.
  static std::string remembered_key(std::string_view list_name, const IdempotencyKey& key);
  // Every remembered key of the list starts with this prefix ...
  static std::string remembered_prefix(std::string_view list_name);
  // ... and sorts before this one.
  static std::string remembered_prefix_end(std::string_view list_name);
  // The idempotency key in a remembered key whose prefix is prefix_size bytes.
  static std::optional<IdempotencyKey> idempotency_key_of(std::string_view key,
                                                          std::size_t prefix_size);

  // Where a database worker keeps the undo hints of a group it wrote, in
  // this slot of its ring (undo_order.hpp). Every such key starts with
  // kUndoOrderPrefix.
  static std::string undo_order_key(std::uint8_t worker, std::uint8_t slot);

  // Where the list keeps the undo step in this slot of its journal's ring.
  static std::string undo_key(std::string_view list_name, std::uint8_t slot);
  // Every undo key of the list starts with this prefix ...
  static std::string undo_prefix(std::string_view list_name);
  // ... and sorts before this one.
  static std::string undo_prefix_end(std::string_view list_name);
};

}  // namespace todo
