#include "daemon/list_name_check.hpp"

#include <algorithm>

#include "common/list_name.hpp"
#include "common/validation.hpp"
#include "daemon/database.hpp"

namespace todo {

Result<ListNameCheck> check_list_names(const Database& database) {
  auto names = database.stored_list_names();
  if (!names) return std::move(names).error();
  const std::vector<std::string>& stored = names.value();
  ListNameCheck check;
  check.names_checked = stored.size();
  for (const std::string& name : stored) {
    auto canonical = canonical_list_name(name);
    if (!canonical) {
      check.findings.push_back({name, canonical.error().message});
      continue;
    }
    if (canonical.value() == name) continue;
    // Both are served, each under its own name: `todo lists` shows two names
    // that look the same.
    const bool is_canonical_stored =
        std::binary_search(stored.begin(), stored.end(), canonical.value());
    check.findings.push_back(
        {name, "not in Unicode NFC; in NFC it is " + quoted_for_message(canonical.value()) +
                   (is_canonical_stored ? ", which is another stored list" : "")});
  }
  return check;
}

}  // namespace todo
