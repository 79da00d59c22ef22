#include "daemon/database.hpp"

#include "common/name_hash.hpp"
#include "daemon/database_worker.hpp"
#include "daemon/storage/backup_directory.hpp"
#include "daemon/storage/data_directory_repair.hpp"
#include "daemon/storage/id_floor.hpp"
#include "daemon/storage/layout_version.hpp"
#include "daemon/storage/list_reader.hpp"
#include "daemon/storage/rocksdb_instance.hpp"
#include "daemon/undo_order.hpp"

namespace todo {

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  if (options.worker_count == 0 || options.worker_count > DatabaseOptions::kMaxWorkers) {
    return Error::invalid("the database takes 1 to " +
                          std::to_string(DatabaseOptions::kMaxWorkers) + " workers");
  }
  auto directory = DataDirectory::open(options.data_dir);
  if (!directory) return std::move(directory).error();
  if (auto finished = finish_interrupted_repair(options.data_dir); !finished) {
    return finished.error();
  }

  auto db = RocksDbInstance::open(
      options.data_dir, options.env,
      options.accept_wal_loss ? RocksDbInstance::WalLoss::accept : RocksDbInstance::WalLoss::refuse,
      {.limit = options.max_unavailable, .on_reached = options.on_unavailable});
  if (!db) return std::move(db).error();
  const auto format = db.value()->with_db(
      [&](rocksdb::DB& opened) { return check_layout_version(opened, options.data_dir); });
  if (!format) return format.error();
  const auto id_floor = db.value()->with_db(
      [&](rocksdb::DB& opened) { return settle_id_floor(opened, options.data_dir); });
  if (!id_floor) return id_floor.error();
  auto undo_hints = db.value()->with_db(
      [&](rocksdb::DB& opened) { return read_undo_hint_groups(opened, options.data_dir); });
  if (!undo_hints) return undo_hints.error();
  return std::unique_ptr<Database>(new Database(std::move(directory).value(), std::move(db).value(),
                                                id_floor.value(), std::move(undo_hints).value(),
                                                options));
}

Database::Database(DataDirectory directory, std::unique_ptr<RocksDbInstance> db, EntryId id_floor,
                   std::vector<EncodedUndoHintGroup> undo_hints, const DatabaseOptions& options)
    : directory_(std::move(directory)),
      durability_(options.durability),
      id_floor_(id_floor),
      db_(std::move(db)),
      undo_order_(std::make_unique<UndoOrder>(std::move(undo_hints))) {
  // A worker's index names its ring of undo hints in one byte.
  static_assert(DatabaseOptions::kMaxWorkers <= 256);
  workers_.reserve(options.worker_count);
  for (std::size_t i = 0; i < options.worker_count; ++i) {
    workers_.push_back(std::make_unique<DatabaseWorker>(
        *db_, durability_, static_cast<std::uint8_t>(i), *undo_order_));
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
  return db_->with_db(
      [&](rocksdb::DB& db) { return read_list(db, list_name, data_dir(), id_floor_); });
}

Result<std::vector<RememberedChange>> Database::load_remembered_changes(
    const std::string& list_name) const {
  return db_->with_db(
      [&](rocksdb::DB& db) { return read_remembered_changes(db, list_name, data_dir()); });
}

Result<StoredUndoSequences> Database::load_undo_sequences(const std::string& list_name) const {
  return db_->with_db(
      [&](rocksdb::DB& db) { return read_undo_sequences(db, list_name, data_dir()); });
}

Result<std::optional<UndoStep>> Database::load_undo_step(const std::string& list_name,
                                                         std::uint8_t slot) const {
  return db_->with_db(
      [&](rocksdb::DB& db) { return read_undo_step(db, list_name, slot, data_dir()); });
}

Result<StoredListKeys> Database::load_list_keys(const std::string& list_name) const {
  return db_->with_db([&](rocksdb::DB& db) { return read_list_keys(db, list_name, data_dir()); });
}

Result<bool> Database::has_list(const std::string& list_name) const {
  return db_->with_db([&](rocksdb::DB& db) { return is_list_stored(db, list_name, data_dir()); });
}

Result<std::vector<std::string>> Database::list_names(const std::string& after,
                                                      std::size_t limit) const {
  return db_->with_db(
      [&](rocksdb::DB& db) { return read_list_names(db, data_dir(), after, limit); });
}

Result<std::vector<std::string>> Database::stored_list_names() const {
  return db_->with_db([&](rocksdb::DB& db) { return read_stored_list_names(db, data_dir()); });
}

Result<BackupMade> Database::back_up(BackupDirectory& directory, std::uint32_t keep) const {
  return db_->with_db([&](rocksdb::DB& db) { return directory.make(db, keep); });
}

std::uint64_t Database::batch_count() const {
  std::uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->batch_count();
  return total;
}

std::uint32_t Database::generation() const { return db_->generation(); }

std::uint64_t Database::reopen_count() const { return db_->reopen_count(); }

std::string Database::degraded() const { return db_->degraded(); }

std::uint64_t Database::write_count() const {
  std::uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->write_count();
  return total;
}

}  // namespace todo
