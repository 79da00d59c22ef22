#include "common/list.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <string>
#include <utility>

#include "common/validation.hpp"

namespace todo {
namespace {

// Entries is std::vector<Entry>, const or not; sorted by id.
template <class Entries>
auto find_position(Entries& entries, EntryId id) {
  return std::lower_bound(entries.begin(), entries.end(), id,
                          [](const Entry& entry, EntryId wanted) { return entry.id < wanted; });
}

}  // namespace

List::List(std::string name) : name_(std::move(name)) {}

Result<List> List::restore(std::string name, EntryId next_id, std::vector<Entry> entries) {
  // Stored parts that break an invariant mean damaged storage, not a bad
  // request, hence internal rather than invalid_argument.
  const auto corrupt = [&name](const std::string& why) {
    return Error::internal("stored list " + quoted_for_message(name) + " is corrupt: " + why);
  };
  if (auto valid = validate_list_name(name); !valid) {
    return corrupt("invalid name: " + valid.error().message);
  }
  if (next_id == 0) return corrupt("next id is 0");
  if (entries.size() > kMaxEntries) {
    return corrupt("it holds " + std::to_string(entries.size()) + " entries, more than " +
                   std::to_string(kMaxEntries));
  }
  EntryId previous_id = 0;
  for (const Entry& entry : entries) {
    if (entry.id == 0) return corrupt("an entry has id 0");
    if (entry.id <= previous_id) return corrupt("entry ids out of order");
    if (entry.id >= next_id) {
      return corrupt("entry " + std::to_string(entry.id) + " is not below the next id " +
                     std::to_string(next_id));
    }
    if (auto valid = validate_title(entry.title); !valid) {
      return corrupt("entry " + std::to_string(entry.id) + ": " + valid.error().message);
    }
    if (auto tags = normalized_tags(entry.tags); !tags || tags.value() != entry.tags) {
      return corrupt("entry " + std::to_string(entry.id) + ": " +
                     (tags ? std::string("tags out of order or repeated") : tags.error().message));
    }
    previous_id = entry.id;
  }
  List list(std::move(name));
  list.next_id_ = next_id;
  list.entries_ = std::move(entries);
  return list;
}

Result<EntryId> List::add_entry(Date date, std::string title, Tags tags) {
  if (auto valid = validate_title(title); !valid) {
    return Error::invalid("invalid title for list " + quoted_for_message(name_) + ": " +
                          valid.error().message);
  }
  Result<Tags> normalized = normalized_tags(std::move(tags));
  if (!normalized) {
    return Error::invalid("invalid tags for list " + quoted_for_message(name_) + ": " +
                          normalized.error().message);
  }
  if (entries_.size() >= kMaxEntries) {
    return Error::invalid("list " + quoted_for_message(name_) + " is full: it holds " +
                          std::to_string(entries_.size()) + " entries, the most a list may hold");
  }
  // Out of reach by adding one entry at a time, but restore() accepts any next id.
  if (next_id_ == std::numeric_limits<EntryId>::max()) {
    return Error::invalid("list " + quoted_for_message(name_) + " has handed out every id");
  }
  const EntryId id = next_id_;
  // Appending keeps entries_ sorted: every id in it is below next_id_.
  entries_.push_back(Entry{id, date, std::move(title), false, std::move(normalized).value()});
  ++next_id_;
  return id;
}

std::vector<Entry> List::entries(Date date) const {
  std::vector<Entry> found;
  std::copy_if(entries_.begin(), entries_.end(), std::back_inserter(found),
               [date](const Entry& entry) { return entry.date == date; });
  return found;
}

std::vector<Entry> List::entries_after(EntryId after, std::size_t limit, std::optional<Date> date,
                                       const EntryFilter* filter) const {
  std::vector<Entry> page;
  visit_entries_after(after, limit, date, filter,
                      [&page](const Entry& entry) { page.push_back(entry); });
  return page;
}

const Entry* List::find_entry(EntryId id) const {
  const auto position = find_position(entries_, id);
  return position != entries_.end() && position->id == id ? &*position : nullptr;
}

Result<Entry> List::update_entry(EntryId id, const EntryChange& change) {
  const auto position = find_position(entries_, id);
  if (position == entries_.end() || position->id != id) return no_such_entry(id);
  // Everything is checked before anything changes, so a refused change leaves
  // the entry as it was.
  if (change.title) {
    if (auto valid = validate_title(*change.title); !valid) {
      return Error::invalid("invalid title for entry " + std::to_string(id) + " in list " +
                            quoted_for_message(name_) + ": " + valid.error().message);
    }
  }
  std::optional<Tags> tags;
  if (change.tags) {
    Result<Tags> changed = apply_tag_change(*change.tags, position->tags);
    if (!changed) {
      return Error::invalid("invalid tags for entry " + std::to_string(id) + " in list " +
                            quoted_for_message(name_) + ": " + changed.error().message);
    }
    tags = std::move(changed).value();
  }
  if (change.date) position->date = *change.date;
  if (change.title) position->title = *change.title;
  if (change.done) position->done = *change.done;
  if (tags) position->tags = std::move(*tags);
  return *position;
}

Result<void> List::delete_entry(EntryId id) {
  const auto position = find_position(entries_, id);
  if (position == entries_.end() || position->id != id) return no_such_entry(id);
  entries_.erase(position);
  return {};
}

Result<void> List::put_back(Entry entry) {
  if (entry.id == 0 || entry.id >= next_id_) {
    return Error::invalid("list " + quoted_for_message(name_) + " never handed out id " +
                          std::to_string(entry.id));
  }
  if (auto valid = validate_title(entry.title); !valid) {
    return Error::invalid("invalid title for list " + quoted_for_message(name_) + ": " +
                          valid.error().message);
  }
  if (Result<Tags> normalized = normalized_tags(entry.tags);
      !normalized || normalized.value() != entry.tags) {
    return Error::invalid("tags of entry " + std::to_string(entry.id) + " in list " +
                          quoted_for_message(name_) + " are not normalized");
  }
  const auto position = find_position(entries_, entry.id);
  if (position != entries_.end() && position->id == entry.id) {
    *position = std::move(entry);
    return {};
  }
  if (entries_.size() >= kMaxEntries) {
    return Error::invalid("list " + quoted_for_message(name_) + " is full: it holds " +
                          std::to_string(entries_.size()) + " entries, the most a list may hold");
  }
  entries_.insert(position, std::move(entry));
  return {};
}

Error List::no_such_entry(EntryId id) const {
  return Error::not_found("no entry " + std::to_string(id) + " in list " +
                          quoted_for_message(name_));
}

}  // namespace todo
