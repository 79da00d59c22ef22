#include "daemon/storage/salvage.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "common/codec.hpp"
#include "common/validation.hpp"
#include "daemon/storage/list_reader.hpp"
#include "daemon/storage/status_message.hpp"
#include "daemon/storage/storage_layout.hpp"

namespace todo {
namespace {

constexpr std::size_t kBatchBytes = 1 << 20;

// Puts into `to` in batches of about kBatchBytes.
class Copier {
 public:
  explicit Copier(rocksdb::DB& to) : to_(to) {}

  Result<void> put(const rocksdb::Slice& key, const rocksdb::Slice& value) {
    batch_.Put(key, value);
    if (batch_.GetDataSize() >= kBatchBytes) return flush();
    return {};
  }

  Result<void> flush() {
    if (batch_.Count() == 0) return {};
    const rocksdb::Status status = to_.Write(rocksdb::WriteOptions(), &batch_);
    batch_.Clear();
    if (!status.ok())
      return Error::internal("cannot write the repaired copy: " + status.ToString());
    return {};
  }

 private:
  rocksdb::DB& to_;
  rocksdb::WriteBatch batch_;
};

rocksdb::ReadOptions scan_options() {
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  options.verify_checksums = true;
  return options;
}

// What a list's entry keys say: how many, and the last id.
struct StoredEntries {
  std::uint64_t count = 0;
  EntryId last_id = 0;
};

}  // namespace

Result<Salvage> salvage(rocksdb::DB& from, rocksdb::DB& to) {
  Salvage salvage;
  Copier copier(to);
  std::unique_ptr<rocksdb::Iterator> forward(from.NewIterator(scan_options()));
  for (forward->SeekToFirst(); forward->Valid(); forward->Next()) {
    if (auto put = copier.put(forward->key(), forward->value()); !put) return put.error();
    salvage.last_before = forward->key().ToString();
    ++salvage.keys_copied;
  }
  if (!forward->status().ok()) {
    salvage.is_damaged = true;
    salvage.damage = forward->status().ToString();
    std::unique_ptr<rocksdb::Iterator> backward(from.NewIterator(scan_options()));
    for (backward->SeekToLast(); backward->Valid(); backward->Prev()) {
      // Met the forward scan: the damage was seen from one side only.
      if (!salvage.last_before.empty() && backward->key().compare(salvage.last_before) <= 0) break;
      if (auto put = copier.put(backward->key(), backward->value()); !put) return put.error();
      salvage.first_after = backward->key().ToString();
      ++salvage.keys_copied;
    }
  }
  if (auto flushed = copier.flush(); !flushed) return flushed.error();
  const rocksdb::Status flushed = to.Flush(rocksdb::FlushOptions());
  if (!flushed.ok())
    return Error::internal("cannot flush the repaired copy: " + flushed.ToString());
  return salvage;
}

Result<std::vector<std::string>> reconcile_metadata(rocksdb::DB& db,
                                                    const std::filesystem::path& dir) {
  // Every list name: from its metadata, and from its entries, which may have
  // outlived their metadata.
  std::vector<std::string> names;
  {
    const rocksdb::Status metas =
        visit_meta_keys(db, scan_options(), "", [&](std::string_view name, rocksdb::Iterator&) {
          names.emplace_back(name);
          return true;
        });
    if (!metas.ok()) return Error::internal("cannot read " + describe_status(dir, metas));
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(scan_options()));
    const std::string entries(1, StorageLayout::kEntryTag);
    for (it->Seek(entries); it->Valid() && it->key().starts_with(entries);) {
      const std::string_view key = it->key().ToStringView();
      const std::size_t end = key.find('\0');
      if (end == std::string_view::npos) {
        it->Next();
        continue;
      }
      const std::string name(key.substr(1, end - 1));
      names.push_back(name);
      it->Seek(StorageLayout::entry_prefix_end(name));
    }
    if (!it->status().ok())
      return Error::internal("cannot read " + describe_status(dir, it->status()));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  std::vector<std::string> changes;
  for (const std::string& name : names) {
    StoredEntries stored;
    const std::string prefix = StorageLayout::entry_prefix(name);
    const std::string prefix_end = StorageLayout::entry_prefix_end(name);
    const rocksdb::Slice upper_bound(prefix_end);
    rocksdb::ReadOptions options = scan_options();
    options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(options));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      ++stored.count;
      if (auto id = StorageLayout::entry_id_of_key(it->key().ToStringView(), prefix.size())) {
        stored.last_id = std::max(stored.last_id, *id);
      }
    }
    if (!it->status().ok())
      return Error::internal("cannot read " + describe_status(dir, it->status()));

    std::string meta_bytes;
    const rocksdb::Status got =
        db.Get(rocksdb::ReadOptions(), StorageLayout::meta_key(name), &meta_bytes);
    std::optional<ListMeta> meta;
    if (got.ok()) {
      auto decoded = decode_list_meta(meta_bytes);
      if (decoded) meta = decoded.value();
    } else if (!got.IsNotFound()) {
      return Error::internal("cannot read " + describe_status(dir, got));
    }
    const bool agrees = meta && (meta->entry_count == 0) == (stored.count == 0);
    if (agrees) continue;
    ListMeta fixed{std::max<EntryId>(meta ? meta->next_id : 1, stored.last_id + 1), stored.count};
    const rocksdb::Status put =
        db.Put(rocksdb::WriteOptions(), StorageLayout::meta_key(name), encode_list_meta(fixed));
    if (!put.ok()) return Error::internal("cannot write " + describe_status(dir, put));
    changes.push_back(
        "list " + quoted_for_message(name) + ": " +
        (meta ? "its metadata counted " + std::to_string(meta->entry_count) + " entries, " +
                    std::to_string(stored.count) + " are left"
              : std::string(got.ok() ? "its metadata did not decode" : "it had no metadata")) +
        "; set to " + std::to_string(stored.count) + " entries, next id " +
        std::to_string(fixed.next_id));
  }
  const rocksdb::Status flushed = db.Flush(rocksdb::FlushOptions());
  if (!flushed.ok()) return Error::internal("cannot flush " + describe_status(dir, flushed));
  return changes;
}

std::string describe_key(const std::string& key) {
  if (key.empty()) return "(none)";
  if (key.front() == StorageLayout::kMetaTag) {
    return "the metadata of list " +
           quoted_for_message(std::string(StorageLayout::list_name_of_meta_key(key)));
  }
  if (key.front() == StorageLayout::kEntryTag) {
    const std::size_t end = key.find('\0');
    if (end != std::string::npos) {
      const std::string name = key.substr(1, end - 1);
      if (auto id = StorageLayout::entry_id_of_key(key, end + 1)) {
        return "entry " + std::to_string(*id) + " of list " + quoted_for_message(name);
      }
    }
  }
  return quoted_for_message(key);
}

}  // namespace todo
