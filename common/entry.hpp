// One to-do entry: an id unique within its list, a date, a title, a done flag,
// and its tags (common/tags.hpp), normalized.
//
// Thread safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/date.hpp"
#include "common/tags.hpp"

namespace todo {

using EntryId = std::uint64_t;

struct Entry {
  EntryId id = 0;
  Date date;
  std::string title;
  bool done = false;
  Tags tags;

  friend bool operator==(const Entry&, const Entry&) = default;
};

// The heap an entry holds beyond sizeof(Entry), for memory estimates: each
// string's own block (none while it fits inside the string: capacity, the
// terminator, malloc's header), and the tags' array.
inline std::size_t heap_bytes(const std::string& text) {
  static const std::size_t inline_capacity = std::string().capacity();
  return text.capacity() > inline_capacity ? text.capacity() + 1 + 8 : 0;
}
inline std::size_t heap_bytes(const Entry& entry) {
  std::size_t bytes = heap_bytes(entry.title);
  if (entry.tags.capacity() != 0) bytes += entry.tags.capacity() * sizeof(std::string) + 8;
  for (const std::string& tag : entry.tags) bytes += heap_bytes(tag);
  return bytes;
}

// Which fields of an entry to change; an empty optional leaves the field as it is.
struct EntryChange {
  std::optional<Date> date;
  std::optional<std::string> title;
  std::optional<bool> done;
  // None: the tags stay as they are. Shared, not held, for the size of every
  // request's message, as GetEntries::filter is.
  std::shared_ptr<const TagChange> tags;

  bool changes_anything() const { return date || title || done || tags; }

  friend bool operator==(const EntryChange& a, const EntryChange& b) {
    const bool same_tags = a.tags && b.tags ? *a.tags == *b.tags : a.tags == b.tags;
    return a.date == b.date && a.title == b.title && a.done == b.done && same_tags;
  }
};

}  // namespace todo
