// Which entries of a list a read wants: by done state, by a range of dates,
// by a piece of text in the title, by tags. Evaluated by the list's actor, so only the
// entries that match travel.
//
// Thread safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/entry.hpp"
#include "common/result.hpp"

namespace todo {

// The values are on the wire (protocol.cpp): never renumber, only add.
enum class DoneState : std::uint8_t { any = 0, pending = 1, done = 2 };

struct EntryFilter {
  // Far more than anyone types; bounds what one request makes every entry
  // of a list be compared with.
  static constexpr std::size_t kMaxSearchBytes = 1024;

  DoneState done = DoneState::any;
  std::optional<Date> from;  // inclusive; none: no lower bound
  std::optional<Date> to;    // inclusive; none: no upper bound
  // A substring of the title, ignoring ASCII case only: other bytes of UTF-8
  // are compared as they are, so "É" does not match "é". Empty: any title.
  std::string search;
  // Tags every matching entry carries. Empty: any tags.
  Tags tags;

  friend bool operator==(const EntryFilter&, const EntryFilter&) = default;
};

// Fails, saying why, when from is after to, the search text is over
// kMaxSearchBytes, or the tags are not valid (normalized_tags).
Result<void> validate_entry_filter(const EntryFilter& filter);

bool matches(const EntryFilter& filter, const Entry& entry);

// Whether needle occurs in haystack, ignoring ASCII case.
bool contains_ignoring_ascii_case(std::string_view haystack, std::string_view needle);

}  // namespace todo
