#include "daemon/list_name_resolution.hpp"

#include "common/list_name.hpp"
#include "common/validation.hpp"
#include "daemon/database.hpp"

namespace todo {

Result<std::string> resolve_list_name(const Database& database, std::string requested) {
  if (is_canonical_list_name(requested)) return requested;
  // A name that breaks the basic rules was never stored, and storage is not
  // asked about it: one with a NUL in it could match another list's keys
  // (storage_layout.hpp).
  if (auto valid = validate_list_name(requested); !valid) return valid.error();
  // Since the rule, no list is created under a name that is not canonical, so
  // none can be in memory with its first write still on the way to disk:
  // storage alone tells whether a list of this name exists.
  auto stored = database.has_list(requested);
  if (!stored) return std::move(stored).error();
  if (stored.value()) return requested;
  return canonical_list_name(requested);
}

}  // namespace todo
