#include "daemon/storage/backup_directory.hpp"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "daemon/runtime/log.hpp"
#include "daemon/storage/access_token_file.hpp"
#include "daemon/storage/durable_file.hpp"

namespace todo {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::int64_t kMetadataFormat = 1;

std::string describe(const fs::path& dir, const rocksdb::Status& status) {
  return "backup directory " + dir.string() + ": " + status.ToString();
}

// Whether one path is the other or lies inside it, by what they resolve to.
bool is_within(const fs::path& inner, const fs::path& outer) {
  std::error_code error;
  const fs::path a = fs::weakly_canonical(inner, error);
  const fs::path b = fs::weakly_canonical(outer, error);
  auto [a_end, b_end] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return b_end == b.end();
}

// The directory, made 0700 when missing. Refused when others may enter it,
// when another user owns it, and when it holds anything but todod's backups:
// the engine deletes the files of its own folders that no backup names, and
// those of a directory someone uses for something else are not its to delete.
// An empty directory is taken, and marked (kMarkerFileName) before the engine
// writes there.
Result<void> prepare_directory(const fs::path& dir, const fs::path& data_dir) {
  if (is_within(dir, data_dir) || is_within(data_dir, dir)) {
    return Error::invalid("backup directory " + dir.string() +
                          " must be apart from the data directory " + data_dir.string() +
                          ", neither inside it nor holding it");
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error::invalid("cannot create backup directory " + dir.string() + ": " +
                          std::strerror(errno));
  }
  struct stat status {};
  if (::lstat(dir.c_str(), &status) != 0 || !S_ISDIR(status.st_mode)) {
    return Error::invalid("backup directory " + dir.string() +
                          " is not a directory (a symbolic link is not followed)");
  }
  if (status.st_uid != ::geteuid()) {
    return Error::invalid("backup directory " + dir.string() + " belongs to user " +
                          std::to_string(status.st_uid) + ", not to todod's user " +
                          std::to_string(::geteuid()));
  }
  if ((status.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", status.st_mode & 07777);
    return Error::invalid(
        "backup directory " + dir.string() + " may be entered by other users (mode " + mode +
        "), and a backup holds every list: chmod 700 it, or name a new directory");
  }
  const fs::path marker = dir / BackupDirectory::kMarkerFileName;
  std::error_code error;
  if (fs::exists(marker, error)) return {};
  if (!fs::is_empty(dir, error) || error) {
    return Error::invalid("backup directory " + dir.string() +
                          " holds files that are not todod's backups (it has no " +
                          BackupDirectory::kMarkerFileName +
                          "), which the backup engine could delete: name a new or empty "
                          "directory");
  }
  return write_durably(marker, "This directory holds backups of todod's data (todo backup).\n");
}

// The metadata of a new backup: the access token file as it is now.
Result<std::string> backup_metadata(const fs::path& data_dir) {
  const fs::path file = access_token_file_path(data_dir);
  std::string tokens;
  if (std::ifstream in{file, std::ios::binary}) {
    std::ostringstream text;
    text << in.rdbuf();
    tokens = std::move(text).str();
  } else if (std::error_code error; fs::exists(file, error)) {
    return Error::internal("cannot read " + file.string() + " to back it up");
  }
  std::string metadata =
      json::serialize(json::object{{"format", kMetadataFormat}, {"access_tokens", tokens}});
  if (metadata.size() > BackupDirectory::kMaxMetadataBytes) {
    return Error::invalid(file.string() + " makes " + std::to_string(metadata.size()) +
                          " bytes of backup metadata, more than a backup can carry (" +
                          std::to_string(BackupDirectory::kMaxMetadataBytes) +
                          "): revoke unused tokens first");
  }
  return metadata;
}

// The access token file a backup carries; empty when it had none.
Result<std::string> access_tokens_of(const std::string& metadata, const fs::path& backup_dir,
                                     std::uint32_t id) {
  const std::string where = "backup " + std::to_string(id) + " in " + backup_dir.string();
  if (metadata.empty()) return std::string();  // not made by todod
  try {
    const json::value parsed = json::parse(metadata);
    const json::object& object = parsed.as_object();
    if (object.at("format").to_number<std::int64_t>() != kMetadataFormat) {
      return Error::invalid(where + " was made by a newer todod (metadata format " +
                            json::serialize(object.at("format")) + ")");
    }
    return json::value_to<std::string>(object.at("access_tokens"));
  } catch (const std::exception& e) {
    return Error::internal(where + ": its metadata is not todod's: " + e.what());
  }
}

Result<std::unique_ptr<rocksdb::BackupEngineReadOnly>> open_read_only(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return Error::not_found("no backup directory at " + dir.string());
  }
  rocksdb::BackupEngineReadOnly* engine = nullptr;
  const rocksdb::IOStatus opened = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::BackupEngineOptions(dir.string()), rocksdb::Env::Default(), &engine);
  if (!opened.ok()) return Error::internal(describe(dir, opened));
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(engine);
}

// Whether path is missing, or an empty directory that a rename may replace.
Result<void> check_restorable_into(const fs::path& data_dir) {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(data_dir, error);
  if (status.type() == fs::file_type::not_found) return {};
  if (status.type() == fs::file_type::symlink) {
    return Error::invalid("cannot restore into " + data_dir.string() +
                          ": it is a symbolic link; name the directory it points to");
  }
  if (status.type() != fs::file_type::directory) {
    return Error::invalid("cannot restore into " + data_dir.string() +
                          ": it is there and not a directory");
  }
  const bool is_empty = fs::is_empty(data_dir, error);
  if (error) {
    return Error::invalid("cannot restore into " + data_dir.string() + ": " + error.message());
  }
  if (!is_empty) {
    return Error::invalid("cannot restore into " + data_dir.string() +
                          ": it holds files already, and a restore never mixes with "
                          "lists that are there; name a new data directory");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<BackupDirectory>> BackupDirectory::open(const fs::path& dir,
                                                               const fs::path& data_dir) {
  if (auto prepared = prepare_directory(dir, data_dir); !prepared) return prepared.error();
  rocksdb::BackupEngine* engine = nullptr;
  const rocksdb::IOStatus opened = rocksdb::BackupEngine::Open(
      rocksdb::BackupEngineOptions(dir.string()), rocksdb::Env::Default(), &engine);
  if (!opened.ok()) return Error::internal(describe(dir, opened));
  return std::unique_ptr<BackupDirectory>(
      new BackupDirectory(dir, data_dir, std::unique_ptr<rocksdb::BackupEngine>(engine)));
}

BackupDirectory::BackupDirectory(fs::path dir, fs::path data_dir,
                                 std::unique_ptr<rocksdb::BackupEngine> engine)
    : dir_(std::move(dir)), data_dir_(std::move(data_dir)), engine_(std::move(engine)) {}

BackupDirectory::~BackupDirectory() = default;

Result<BackupMade> BackupDirectory::make(rocksdb::DB& db, std::uint32_t keep) {
  {
    MutexLock lock(mutex_);
    if (is_stopped_) return Error::busy("todod is stopping: no backup was made");
  }
  auto metadata = backup_metadata(data_dir_);
  if (!metadata) return metadata.error();
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = false;
  rocksdb::BackupID id = 0;
  const rocksdb::IOStatus made =
      engine_->CreateNewBackupWithMetadata(options, &db, metadata.value(), &id);
  if (!made.ok()) {
    MutexLock lock(mutex_);
    if (is_stopped_) return Error::busy("todod is stopping: the backup was abandoned");
    return Error::internal(describe(dir_, made));
  }
  if (keep > 0) {
    if (const rocksdb::IOStatus purged = engine_->PurgeOldBackups(keep); !purged.ok()) {
      return Error::internal(
          "backup " + std::to_string(id) +
          " was made, but deleting the older ones failed: " + describe(dir_, purged));
    }
  }
  std::vector<rocksdb::BackupInfo> kept;
  engine_->GetBackupInfo(&kept);
  const auto made_now =
      std::find_if(kept.begin(), kept.end(),
                   [id](const rocksdb::BackupInfo& info) { return info.backup_id == id; });
  if (made_now == kept.end()) {
    return Error::internal(dir_.string() + ": backup " + std::to_string(id) +
                           " was made, but the engine does not list it");
  }
  return BackupMade{.id = id,
                    .bytes = made_now->size,
                    .files = made_now->number_files,
                    .backups_kept = static_cast<std::uint32_t>(kept.size())};
}

void BackupDirectory::stop() {
  MutexLock lock(mutex_);
  is_stopped_ = true;
  engine_->StopBackup();
}

Result<RestoredBackup> restore_backup(const fs::path& backup_dir, std::optional<std::uint32_t> id,
                                      const fs::path& given_data_dir) {
  // "data/" names data, not a place inside it for the staging directory.
  fs::path data_dir = given_data_dir.lexically_normal();
  if (!data_dir.has_filename()) data_dir = data_dir.parent_path();
  if (auto restorable = check_restorable_into(data_dir); !restorable) return restorable.error();
  auto engine = open_read_only(backup_dir);
  if (!engine) return engine.error();
  rocksdb::BackupInfo info;
  const rocksdb::Status found =
      id ? engine.value()->GetBackupInfo(*id, &info) : engine.value()->GetLatestBackupInfo(&info);
  if (!found.ok()) {
    if (id) {
      return Error::not_found("no backup " + std::to_string(*id) + " in " + backup_dir.string());
    }
    return Error::not_found("no backup in " + backup_dir.string());
  }
  auto tokens = access_tokens_of(info.app_metadata, backup_dir, info.backup_id);
  if (!tokens) return tokens.error();

  fs::path staging = data_dir;
  staging += ".restoring";
  std::error_code error;
  fs::remove_all(staging, error);  // what a crashed restore left
  if (::mkdir(staging.c_str(), 0700) != 0) {
    return Error::internal("cannot create " + staging.string() + ": " + std::strerror(errno));
  }
  const auto fail = [&](Error why) {
    fs::remove_all(staging, error);
    return why;
  };
  const rocksdb::IOStatus restored =
      engine.value()->RestoreDBFromBackup(info.backup_id, staging.string(), staging.string());
  if (!restored.ok()) return fail(Error::internal(describe(backup_dir, restored)));
  if (!tokens.value().empty()) {
    const fs::path file = access_token_file_path(staging);
    if (auto written = write_durably(file, tokens.value()); !written) return fail(written.error());
    // Read back as todod will: a restore that todod would refuse to start on
    // is refused here, where the backup can be named.
    if (auto readable = read_access_token_file(file); !readable) return fail(readable.error());
  }
  if (auto synced = sync_directory(staging); !synced) return fail(synced.error());
  if (::rename(staging.c_str(), data_dir.c_str()) != 0) {
    return fail(Error::internal("cannot move the restored " + staging.string() + " to " +
                                data_dir.string() + ": " + std::strerror(errno)));
  }
  if (auto synced = sync_directory(fs::absolute(data_dir).parent_path()); !synced) {
    // The restore is in place; only a power cut before the kernel writes the
    // rename could still undo it.
    log_event("restored into " + data_dir.string() +
              ", but the rename may not survive a power cut: " + synced.error().message);
  }
  return RestoredBackup{.id = info.backup_id,
                        .made_unix = info.timestamp,
                        .has_access_tokens = !tokens.value().empty()};
}

}  // namespace todo
