#include "daemon/storage/data_directory_repair.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <ctime>
#include <fstream>
#include <memory>

#include "daemon/storage/data_directory.hpp"
#include "daemon/storage/durable_file.hpp"
#include "daemon/storage/id_floor.hpp"
#include "daemon/storage/rocksdb_instance.hpp"
#include "daemon/storage/salvage.hpp"

namespace todo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDamagedPrefix = "damaged-";

Error file_error(const std::string& what, const fs::path& path, const std::error_code& error) {
  return Error::internal("cannot " + what + " " + path.string() + ": " + error.message());
}

// Files of the data directory that the swap leaves where they are.
bool is_kept_in_place(const fs::path& entry) {
  const std::string name = entry.filename().string();
  return name == DataDirectory::kLockFileName || name == kSwapFileName ||
         name == kRepairedDirName || name.starts_with(kDamagedPrefix);
}

Result<void> write_swap_phase(const fs::path& dir, const std::string& phase,
                              const std::string& damaged_name) {
  return write_durably(dir / kSwapFileName, phase + "\n" + damaged_name + "\n");
}

// Moves every entry of from, but those kept in place, into to.
Result<void> move_entries(const fs::path& from, const fs::path& to) {
  std::error_code error;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(from, error)) {
    if (!is_kept_in_place(entry.path())) entries.push_back(entry.path());
  }
  if (error) return file_error("list", from, error);
  for (const fs::path& entry : entries) {
    fs::rename(entry, to / entry.filename(), error);
    if (error) return file_error("move", entry, error);
  }
  if (auto synced = sync_directory(to); !synced) return synced;
  return sync_directory(from);
}

// Phase "out": the old files into damaged/; phase "in": the repaired ones
// into dir. Either may be resumed from its start.
Result<void> swap(const fs::path& dir, std::string phase, const std::string& damaged_name) {
  const fs::path damaged = dir / damaged_name;
  const fs::path repaired = dir / kRepairedDirName;
  if (phase == "out") {
    std::error_code error;
    fs::create_directories(damaged, error);
    if (error) return file_error("create", damaged, error);
    if (auto moved = move_entries(dir, damaged); !moved) return moved;
    if (auto noted = write_swap_phase(dir, "in", damaged_name); !noted) return noted;
    phase = "in";
  }
  if (phase != "in") return Error::internal(dir.string() + "/" + kSwapFileName + " is corrupt");
  if (auto moved = move_entries(repaired, dir); !moved) return moved;
  std::error_code error;
  fs::remove(repaired, error);
  if (error) return file_error("remove", repaired, error);
  fs::remove(dir / kSwapFileName, error);
  if (error) return file_error("remove", dir / kSwapFileName, error);
  return sync_directory(dir);
}

std::uint64_t table_file_bytes(const fs::path& dir) {
  std::uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".sst") bytes += entry.file_size(error);
  }
  return bytes;
}

std::string damaged_dir_name() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(kDamagedPrefix) + stamp;
}

Result<std::unique_ptr<rocksdb::DB>> open_plain(const fs::path& dir, bool create) {
  rocksdb::Options options = RocksDbInstance::options();
  options.create_if_missing = create;
  options.error_if_exists = create;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(options, dir.string(), &raw);
  if (!status.ok()) {
    return Error::internal("cannot open database in " + dir.string() + ": " + status.ToString());
  }
  return std::unique_ptr<rocksdb::DB>(raw);
}

}  // namespace

Result<void> finish_interrupted_repair(const fs::path& dir) {
  std::ifstream in(dir / kSwapFileName);
  if (!in) return {};
  std::string phase;
  std::string damaged_name;
  std::getline(in, phase);
  std::getline(in, damaged_name);
  if (!damaged_name.starts_with(kDamagedPrefix) || damaged_name.find('/') != std::string::npos) {
    return Error::internal(dir.string() + "/" + kSwapFileName + " is corrupt");
  }
  return swap(dir, phase, damaged_name);
}

Result<DataDirectoryRepair> repair_data_directory(const fs::path& dir) {
  auto directory = DataDirectory::open(dir);
  if (!directory) return std::move(directory).error();
  if (auto finished = finish_interrupted_repair(dir); !finished) return finished.error();

  DataDirectoryRepair repair;
  auto source = open_plain(dir, false);
  if (!source) {
    // Only a directory RocksDB will not open at all goes through RepairDB,
    // which drops any table file it cannot read to the end.
    repair.report.push_back(source.error().message + "; running RocksDB's RepairDB first");
    rocksdb::Options options = RocksDbInstance::options();
    const rocksdb::Status repaired = rocksdb::RepairDB(dir.string(), options);
    if (!repaired.ok()) {
      return Error::internal("RocksDB's RepairDB failed on " + dir.string() + ": " +
                             repaired.ToString());
    }
    repair.was_damaged = true;
    source = open_plain(dir, false);
    if (!source) return std::move(source).error();
  }

  const fs::path repaired_dir = dir / kRepairedDirName;
  std::error_code error;
  fs::remove_all(repaired_dir, error);  // what an interrupted --repair left; the source is intact
  fs::create_directory(repaired_dir, error);
  if (error) return file_error("create", repaired_dir, error);
  auto target = open_plain(repaired_dir, true);
  if (!target) return std::move(target).error();
  auto salvaged = salvage(*source.value(), *target.value());
  if (!salvaged) return salvaged.error();
  const Salvage& found = salvaged.value();
  repair.was_damaged = repair.was_damaged || found.is_damaged;
  if (found.is_damaged) {
    repair.report.push_back("damage: " + found.damage);
    repair.report.push_back("lost: every key after " + describe_key(found.last_before) +
                            " and before " + describe_key(found.first_after));
  }
  repair.report.push_back("copied " + std::to_string(found.keys_copied) + " keys");
  if (!repair.was_damaged) {
    target.value().reset();
    source.value().reset();
    fs::remove_all(repaired_dir, error);
    repair.report.push_back("no damage found: every key of " + dir.string() + " read back");
    return repair;
  }

  auto changes = reconcile_metadata(*target.value(), repaired_dir);
  if (!changes) return changes.error();
  for (std::string& change : changes.value()) repair.report.push_back(std::move(change));
  // Lost entries may have held a list's highest ids.
  if (auto noted = note_pending_id_skip(repaired_dir, table_file_bytes(dir)); !noted) {
    return noted.error();
  }
  auto floor = settle_id_floor(*target.value(), repaired_dir);
  if (!floor) return floor.error();
  repair.report.push_back("new entries take ids from " + std::to_string(floor.value()) + " on");
  target.value().reset();
  source.value().reset();

  const std::string damaged_name = damaged_dir_name();
  if (auto noted = write_swap_phase(dir, "out", damaged_name); !noted) return noted.error();
  if (auto swapped = swap(dir, "out", damaged_name); !swapped) return swapped.error();
  repair.report.push_back("the damaged files are kept in " + (dir / damaged_name).string());
  return repair;
}

}  // namespace todo
