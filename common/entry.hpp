// One to-do entry: an id unique within its list, a date, a title, a done flag.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/date.hpp"

namespace todo {

using EntryId = std::uint64_t;

struct Entry {
  EntryId id = 0;
  Date date;
  std::string title;
  bool done = false;

  friend bool operator==(const Entry&, const Entry&) = default;
};

// Which fields of an entry to change; an empty optional leaves the field as it is.
struct EntryChange {
  std::optional<Date> date;
  std::optional<std::string> title;
  std::optional<bool> done;

  friend bool operator==(const EntryChange&, const EntryChange&) = default;
};

}  // namespace todo
