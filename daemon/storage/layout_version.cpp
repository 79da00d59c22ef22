#include "daemon/storage/layout_version.hpp"

#include <rocksdb/db.h>

#include <charconv>
#include <string>

#include "daemon/storage/status_message.hpp"
#include "daemon/storage/storage_layout.hpp"

namespace todo {

Result<void> check_layout_version(rocksdb::DB& db, const std::filesystem::path& dir) {
  const auto mark_current = [&]() -> Result<void> {
    rocksdb::WriteOptions options;
    options.sync = true;
    const rocksdb::Status put = db.Put(options, std::string(StorageLayout::kFormatKey),
                                       std::to_string(StorageLayout::kLayoutVersion));
    if (!put.ok()) return Error::internal("cannot mark the format of " + describe_status(dir, put));
    return {};
  };
  std::string stored;
  const rocksdb::Status status =
      db.Get(rocksdb::ReadOptions(), std::string(StorageLayout::kFormatKey), &stored);
  if (status.IsNotFound()) return mark_current();
  if (!status.ok()) return Error::internal("cannot read " + describe_status(dir, status));
  std::uint32_t version = 0;
  const auto [end, parse_error] =
      std::from_chars(stored.data(), stored.data() + stored.size(), version);
  if (parse_error != std::errc() || end != stored.data() + stored.size() || version == 0) {
    return Error::internal("data directory " + dir.string() + " has a corrupt format marker");
  }
  if (version > StorageLayout::kLayoutVersion) {
    return Error::internal("data directory " + dir.string() +
                           " was written by a newer todo (format " + std::to_string(version) +
                           ", this one reads up to " +
                           std::to_string(StorageLayout::kLayoutVersion) + ")");
  }
  if (version < StorageLayout::kLayoutVersion) return mark_current();
  return {};
}

}  // namespace todo
