// What can be asked of one to-do list, and what it answers. These are the
// messages a list's Server handles; the wire protocol carries them too.
//
// Thread safety: plain values; copies of EncodedEntries share bytes that
// never change.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/entry.hpp"
#include "common/entry_filter.hpp"
#include "common/result.hpp"

namespace todo {

struct AddEntry {
  Date date;
  std::string title;
  Tags tags;  // normalized by the list
};

// Entries of one date, or of the whole list when date is empty; in id order.
// With a limit, one page: up to limit of them with ids above after, so that
// no reply need hold a whole big list; a page of fewer than limit is the last.
// With a filter, only the entries it matches, and a page holds up to limit
// matching entries: a page of fewer than limit is still the last.
struct GetEntries {
  static constexpr std::uint32_t kMaxLimit = 1000;  // 4.1 MB of titles at most

  std::optional<Date> date;
  EntryId after = 0;
  std::uint32_t limit = 0;  // 0: every entry, in one reply (after must be 0)
  // None: every entry, read without looking at more than ids and dates.
  // Shared, not held: every request's message is the size of the largest
  // operation, and an EntryFilter held here made that 24 bytes more for all
  // of them, adds included.
  std::shared_ptr<const EntryFilter> filter;
};

struct UpdateEntry {
  EntryId id = 0;
  EntryChange change;
};

struct DeleteEntry {
  EntryId id = 0;
};

// Deletes the whole list. Dropping a list that holds nothing succeeds, and
// says so (NothingToDrop).
struct DropList {};

// Reverts the list's last change that is not itself an undo (undo_journal.hpp).
// With steps named, only when the newest step is one of first_step to
// last_step, and not found otherwise: how `todo undo` without a list tries
// each list that may hold the newest change (latest_undo.hpp). The wire
// carries no steps: they are todod's own.
struct UndoChange {
  std::uint64_t first_step = 0;  // 0: whatever the newest step is
  std::uint64_t last_step = 0;

  bool is_conditional() const { return first_step != 0; }
};

// Gives the list, whole, another name: its entries keep their ids, and its
// undo journal goes with it. Refused onto a name that holds entries or
// held some once, whose ids would be handed out again. The old name is left as a drop
// leaves a list: holding nothing, keeping its next id. Carried out by ListTransfers, not by one
// list's actor.
struct RenameList {
  std::string new_name;
};

// Moves one entry to another list, where it takes that list's next id;
// answered with the new id. Carried out by ListTransfers.
struct MoveEntry {
  EntryId id = 0;
  std::string destination;
};

using ListOperation = std::variant<AddEntry, GetEntries, UpdateEntry, DeleteEntry, DropList,
                                   UndoChange, RenameList, MoveEntry>;

// Whether an operation may change the list, and so must be persisted.
inline bool is_change(const ListOperation& operation) {
  return !std::holds_alternative<GetEntries>(operation);
}

// The other list a rename or a move names; null for every other operation
// (an undo of a move finds its other list in the step it reverts).
inline std::string* other_list_name(ListOperation& operation) {
  if (auto* rename = std::get_if<RenameList>(&operation)) return &rename->new_name;
  if (auto* move = std::get_if<MoveEntry>(&operation)) return &move->destination;
  return nullptr;
}

// Whether an operation changes two lists at once (ListTransfers).
inline bool is_transfer(const ListOperation& operation) {
  return std::holds_alternative<RenameList>(operation) ||
         std::holds_alternative<MoveEntry>(operation);
}

// Entries read, already in their wire form (protocol.hpp: encode_entries,
// decode_entries). A list's actor encodes what a read asks for straight from
// its list, on its turn: copying each entry for a reply that is only ever
// encoded cost a heap allocation and a cache-missing copy per entry.
// REQUIRES: bytes made by encode_entries().
struct EncodedEntries {
  // One portable binary archive: the count, then the entries. Immutable and
  // shared, so copies may go to other threads and an encoding may answer
  // several reads.
  std::shared_ptr<const std::string> bytes;
};

// The answer to a drop of a list that held nothing: the drop wrote nothing.
struct NothingToDrop {};

// The changes a list's undo journal records. An undo reverts all but a move,
// which changed another list too (undo_journal.hpp).
enum class ChangeKind : std::uint8_t { add = 1, update = 2, erase = 3, drop = 4, move = 5 };

// The name todo and the HTTP API show a change by: "add", "update",
// "delete", "drop".
inline std::string_view change_name(ChangeKind change) {
  switch (change) {
    case ChangeKind::add:
      return "add";
    case ChangeKind::update:
      return "update";
    case ChangeKind::erase:
      return "delete";
    case ChangeKind::drop:
      return "drop";
    case ChangeKind::move:
      return "move";
  }
  return "change";
}

// The answer to an undo: the change it reverted and what that touched. For an
// add, the entry taken out again; for an update, the entry as it is again;
// for a delete, the entry back; for a drop, none (id 0), and entries says how
// many came back.
struct Undone {
  ChangeKind change = ChangeKind::add;
  std::uint64_t entries = 0;
  Entry entry;

  friend bool operator==(const Undone&, const Undone&) = default;
};

// monostate: done, nothing to report (delete, drop). EntryId: the id of an
// added entry. Entry: an updated entry as it is now. EncodedEntries: entries
// read. NothingToDrop: a drop of a list that held nothing. Undone: an undo.
using ListAnswer =
    std::variant<std::monostate, EntryId, Entry, EncodedEntries, NothingToDrop, Undone>;
using ListResult = Result<ListAnswer>;

}  // namespace todo
