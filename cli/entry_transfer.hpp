// The text of `todo export` and `todo import`: every entry as one JSON line,
// {"list","id","date","title","done","tags"}, and back; import also reads
// Taskwarrior's `task export` (a JSON array, or one object a line), taking
// its description for the title, its tags, its due
// date in local time (today without one), its status (completed: done;
// deleted: skipped) and its project for the list.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.hpp"
#include "common/entry.hpp"
#include "common/result.hpp"

namespace todo {

// One line of `todo export`, without its newline.
std::string export_line(std::string_view list, const Entry& entry);

// An entry to add, read from an import.
struct ImportedEntry {
  std::string list;
  Date date;
  std::string title;
  bool is_done = false;
  Tags tags;  // normalized
};

struct ImportPlan {
  std::vector<ImportedEntry> entries;
  // Taskwarrior tasks marked deleted, which are not imported.
  std::size_t deleted_skipped = 0;
};

// Every entry of input, or the first thing wrong with it (its line or array
// element, and why), before anything is sent: an import is all or nothing
// up to the daemon. default_list: the list of a Taskwarrior task without a
// project; one without either is refused. today: a task's date without a due.
Result<ImportPlan> parse_import(std::string_view input,
                                const std::optional<std::string>& default_list, Date today);

}  // namespace todo
