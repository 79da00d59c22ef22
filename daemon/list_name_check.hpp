// The check of stored list names that `todod --check` runs: every stored
// list whose name is not canonical (common/list_name.hpp), and why. Such
// lists were stored before names had a canonical form; todod keeps serving
// them under the names they have (list_name_resolution.hpp), and this is how
// to find them. todod does not run it at startup: it reads every list's name,
// which at a million lists would slow every start for what is rarely there.
//
// Thread safety: may be called from any thread; it reads RocksDB.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace todo {

class Database;

// One stored list name that is not canonical.
struct ListNameFinding {
  std::string name;    // as stored
  std::string reason;  // what is wrong with it, for a person to act on
};

struct ListNameCheck {
  std::size_t names_checked = 0;
  std::vector<ListNameFinding> findings;  // in name order (bytewise)
};

// Every stored list is checked, emptied and dropped ones too: a request for
// the name still reaches them.
Result<ListNameCheck> check_list_names(const Database& database);

}  // namespace todo
