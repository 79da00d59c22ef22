// Which list a name in a request means. New lists get canonical names only
// (common/list_name.hpp), but lists stored before that rule keep the names
// they were stored under, so a name that is not canonical is looked up as it
// was sent before it is normalized or refused:
//
//   - canonical: that list, with no read of storage (nearly every request);
//   - stored under exactly this name: that list, so an old list stays
//     reachable by the name it was written under;
//   - only its normalization differs from canonical: the canonical list, so
//     "café" typed decomposed reaches the list stored precomposed;
//   - otherwise (an invisible character, a bidirectional control, ...):
//     refused, saying which character and where.
//
// Every front door calls this for every list name it is given, so that the
// rule is the same whichever way a request came in.
//
// Thread safety: may be called from any thread. A name that is not canonical
// costs a synchronous read of RocksDB on the calling thread (Database::has_list).
#pragma once

#include <string>

#include "common/result.hpp"

namespace todo {

class Database;

// The name of the list the request names, as the Cache and storage know it.
// Takes the name by value: a canonical one is handed back as it came.
Result<std::string> resolve_list_name(const Database& database, std::string requested);

}  // namespace todo
