#include "daemon/database.hpp"

#include <rocksdb/db.h>

#include <algorithm>
#include <charconv>

#include "common/codec.hpp"
#include "common/name_hash.hpp"
#include "common/validation.hpp"
#include "daemon/database_worker.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/storage/rocksdb_instance.hpp"
#include "daemon/storage/storage_layout.hpp"

namespace todo {
namespace {

std::string describe(const std::filesystem::path& dir, const rocksdb::Status& status) {
  return "database in " + dir.string() + ": " + status.ToString();
}

// Marks a new data directory with the layout version, brings an older one up
// to it (see storage_layout.hpp), and refuses one written by a newer todo
// rather than misreading it.
Result<void> check_format(rocksdb::DB& db, const std::filesystem::path& dir) {
  const auto mark_current = [&]() -> Result<void> {
    rocksdb::WriteOptions options;
    options.sync = true;
    const rocksdb::Status put = db.Put(options, std::string(StorageLayout::kFormatKey),
                                       std::to_string(StorageLayout::kLayoutVersion));
    if (!put.ok()) return Error::internal("cannot mark the format of " + describe(dir, put));
    return {};
  };
  std::string stored;
  const rocksdb::Status status =
      db.Get(rocksdb::ReadOptions(), std::string(StorageLayout::kFormatKey), &stored);
  if (status.IsNotFound()) return mark_current();
  if (!status.ok()) return Error::internal("cannot read " + describe(dir, status));
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

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  if (options.worker_count == 0) return Error::invalid("the database needs at least one worker");
  auto directory = DataDirectory::open(options.data_dir);
  if (!directory) return std::move(directory).error();

  auto db = RocksDbInstance::open(options.data_dir, options.env);
  if (!db) return std::move(db).error();
  const auto format = db.value()->with_db(
      [&](rocksdb::DB& opened) { return check_format(opened, options.data_dir); });
  if (!format) return format.error();
  return std::unique_ptr<Database>(
      new Database(std::move(directory).value(), std::move(db).value(), options));
}

Database::Database(DataDirectory directory, std::unique_ptr<RocksDbInstance> db,
                   const DatabaseOptions& options)
    : directory_(std::move(directory)), durability_(options.durability), db_(std::move(db)) {
  workers_.reserve(options.worker_count);
  for (std::size_t i = 0; i < options.worker_count; ++i) {
    workers_.push_back(std::make_unique<DatabaseWorker>(*db_, durability_));
  }
}

Database::~Database() {
  // The workers write what is pending before RocksDB closes.
  workers_.clear();
}

std::size_t Database::choose_worker(std::string_view list_name) const {
  return fnv1a(list_name) % workers_.size();
}

void Database::write(std::string_view list_name, ListWrite write) {
  workers_[choose_worker(list_name)]->submit(std::move(write));
}

Result<List> Database::load_list(const std::string& list_name) const {
  return db_->with_db([&](rocksdb::DB& db) { return load_list_from(db, list_name); });
}

Result<List> Database::load_list_from(rocksdb::DB& db, const std::string& list_name) const {
  const auto corrupt = [&](const std::string& why) {
    return Error::internal("stored list " + quoted_for_message(list_name) + " is corrupt: " + why);
  };
  // One snapshot for the metadata and the entries, so they agree.
  rocksdb::ManagedSnapshot snapshot(&db);
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.snapshot();

  std::string meta_bytes;
  const rocksdb::Status meta_status =
      db.Get(read_options, StorageLayout::meta_key(list_name), &meta_bytes);
  ListMeta meta;
  const bool has_meta = meta_status.ok();
  if (has_meta) {
    auto decoded = decode_list_meta(meta_bytes);
    if (!decoded) return corrupt(decoded.error().message);
    meta = decoded.value();
  } else if (!meta_status.IsNotFound()) {
    return Error::internal("cannot read list " + quoted_for_message(list_name) + " from " +
                           describe(data_dir(), meta_status));
  }

  const std::string prefix = StorageLayout::entry_prefix(list_name);
  const std::string prefix_end = StorageLayout::entry_prefix_end(list_name);
  const rocksdb::Slice upper_bound(prefix_end);
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  std::vector<Entry> entries;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    const auto id = StorageLayout::entry_id_of_key(it->key().ToStringView(), prefix.size());
    if (!id) return corrupt("malformed entry key");
    auto entry = decode_entry(it->value().ToStringView());
    if (!entry) return corrupt(entry.error().message);
    if (entry.value().id != *id)
      return corrupt("entry " + std::to_string(*id) + " is stored under another id");
    entries.push_back(std::move(entry).value());
  }
  if (!it->status().ok()) {
    return Error::internal("cannot read list " + quoted_for_message(list_name) + " from " +
                           describe(data_dir(), it->status()));
  }
  if (!has_meta) {
    if (!entries.empty()) return corrupt("entries without list metadata");
    return List(list_name);
  }
  // The metadata is not rewritten by adds (storage_layout.hpp): it says only
  // whether the list is empty, and a next id the entries may have passed.
  if ((meta.entry_count == 0) != entries.empty()) {
    return corrupt("metadata counts " + std::to_string(meta.entry_count) + " entries, " +
                   std::to_string(entries.size()) + " are stored");
  }
  const EntryId next_id =
      entries.empty() ? meta.next_id : std::max<EntryId>(meta.next_id, entries.back().id + 1);
  return List::restore(list_name, next_id, std::move(entries));
}

Result<std::vector<std::string>> Database::list_names() const {
  return db_->with_db([&](rocksdb::DB& db) { return list_names_in(db); });
}

Result<std::vector<std::string>> Database::list_names_in(rocksdb::DB& db) const {
  const std::string first(1, StorageLayout::kMetaTag);
  const std::string end(1, StorageLayout::kMetaTag + 1);
  const rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  std::vector<std::string> names;
  for (it->Seek(first); it->Valid(); it->Next()) {
    auto meta = decode_list_meta(it->value().ToStringView());
    if (!meta) {
      // One corrupt list must not hide the others; reading it says what is wrong.
      const std::string name(StorageLayout::list_name_of_meta_key(it->key().ToStringView()));
      log_event("stored list " + quoted_for_message(name) +
                " has corrupt metadata: " + meta.error().message);
      names.push_back(name);
      continue;
    }
    if (meta.value().entry_count > 0) {
      names.emplace_back(StorageLayout::list_name_of_meta_key(it->key().ToStringView()));
    }
  }
  if (!it->status().ok())
    return Error::internal("cannot list lists in " + describe(data_dir(), it->status()));
  return names;
}

std::uint64_t Database::batch_count() const {
  std::uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->batch_count();
  return total;
}

std::uint32_t Database::generation() const { return db_->generation(); }

std::uint64_t Database::reopen_count() const { return db_->reopen_count(); }

std::uint64_t Database::write_count() const {
  std::uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->write_count();
  return total;
}

}  // namespace todo
