// The data directory's layout version ("!format", storage_layout.hpp): marks a
// new directory with it, brings an older one up to it, and refuses one written
// by a newer todo rather than misreading it.
//
// Thread safety: a function called once, when the database opens.
#pragma once

#include <filesystem>

#include "common/result.hpp"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace todo {

// dir names the data directory in errors.
Result<void> check_layout_version(rocksdb::DB& db, const std::filesystem::path& dir);

}  // namespace todo
