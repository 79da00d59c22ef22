// A to-do list as a plain value: its name and its entries, in id order.
// Ids start at 1, grow by one per added entry and are never reused, even after
// a delete. A list holds at most kMaxEntries entries.
//
// Every operation that can fail returns an Error whose message names the list
// ("no entry 7 in list 'bob'"); a failed operation leaves the list unchanged.
//
// Thread safety: a plain value; no internal synchronisation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/entry.hpp"
#include "common/entry_filter.hpp"
#include "common/result.hpp"

namespace todo {

class List {
 public:
  static constexpr std::size_t kMaxEntries = 100'000;

  // REQUIRES: validate_list_name(name) succeeded.
  explicit List(std::string name);

  // Rebuilds a list from stored parts. Fails (naming the list) when the parts
  // break an invariant: ids not strictly increasing, an id >= next_id, too
  // many entries, an invalid title, tags not normalized.
  static Result<List> restore(std::string name, EntryId next_id, std::vector<Entry> entries);

  const std::string& name() const { return name_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // The id the next added entry will get.
  EntryId next_id() const { return next_id_; }

  Result<EntryId> add_entry(Date date, std::string title, Tags tags = {});
  // Entries with this date, in id order.
  std::vector<Entry> entries(Date date) const;
  // All entries, in id order.
  const std::vector<Entry>& entries() const { return entries_; }
  // A page: up to limit entries with ids above after, of this date if one is
  // given and matching filter if one is given, in id order.
  std::vector<Entry> entries_after(EntryId after, std::size_t limit, std::optional<Date> date,
                                   const EntryFilter* filter = nullptr) const;
  // Calls visit(const Entry&) on that page's entries, in id order, without
  // copying them. REQUIRES: filter, if not null, outlives the call.
  template <class Visit>
  void visit_entries_after(EntryId after, std::size_t limit, std::optional<Date> date,
                           const EntryFilter* filter, Visit&& visit) const;
  // nullptr when there is no such entry.
  const Entry* find_entry(EntryId id) const;
  bool has_entry(EntryId id) const { return find_entry(id) != nullptr; }
  // Applies the fields set in change; returns the entry as it is now.
  Result<Entry> update_entry(EntryId id, const EntryChange& change);
  Result<void> delete_entry(EntryId id);
  // Puts an entry back as it was, in place of the one with its id or where
  // that id sorts: what an undo of an update, a delete or a drop does. Fails
  // when the entry is invalid, its id was never handed out, or the list is full.
  Result<void> put_back(Entry entry);
  // Empties the list, which keeps its next id, and gives what it held.
  std::vector<Entry> take_all_entries() { return std::exchange(entries_, {}); }

  friend bool operator==(const List&, const List&) = default;

 private:
  Error no_such_entry(EntryId id) const;

  std::string name_;
  EntryId next_id_ = 1;
  std::vector<Entry> entries_;  // sorted by id
};

template <class Visit>
void List::visit_entries_after(EntryId after, std::size_t limit, std::optional<Date> date,
                               const EntryFilter* filter, Visit&& visit) const {
  const auto first = std::upper_bound(entries_.begin(), entries_.end(), after,
                                      [](EntryId id, const Entry& entry) { return id < entry.id; });
  std::size_t visited = 0;
  for (auto it = first; it != entries_.end() && visited < limit; ++it) {
    if (date && it->date != *date) continue;
    // Skipped entries do not count towards limit: a page holds up to limit
    // matching entries.
    if (filter != nullptr && !matches(*filter, *it)) continue;
    visit(*it);
    ++visited;
  }
}

}  // namespace todo
