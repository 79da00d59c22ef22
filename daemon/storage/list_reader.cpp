#include "daemon/storage/list_reader.hpp"

#include <rocksdb/db.h>

#include <algorithm>
#include <memory>

#include "common/validation.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/storage/status_message.hpp"
#include "daemon/storage/storage_layout.hpp"

namespace todo {
namespace {

Error corrupt(const std::string& list_name, const std::string& why) {
  return Error::internal("stored list " + quoted_for_message(list_name) + " is corrupt: " + why);
}

Error unreadable(const std::string& list_name, const std::filesystem::path& dir,
                 const rocksdb::Status& status) {
  return Error::internal("cannot read list " + quoted_for_message(list_name) + " from " +
                         describe_status(dir, status));
}

}  // namespace

rocksdb::Status visit_meta_keys(
    rocksdb::DB& db, const rocksdb::ReadOptions& base, std::string_view first_name,
    const std::function<bool(std::string_view name, rocksdb::Iterator& at)>& visit) {
  const std::string end(1, StorageLayout::kMetaTag + 1);
  const rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read_options = base;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  for (it->Seek(StorageLayout::meta_key(first_name)); it->Valid(); it->Next()) {
    if (!visit(StorageLayout::list_name_of_meta_key(it->key().ToStringView()), *it)) break;
  }
  return it->status();
}

Result<List> restore_list(const std::string& list_name, const std::optional<ListMeta>& meta,
                          std::vector<Entry> entries, EntryId id_floor) {
  if (!meta) {
    if (!entries.empty()) return corrupt(list_name, "entries without list metadata");
    return List::restore(list_name, std::max<EntryId>(id_floor, 1), {});
  }
  // The metadata is not rewritten by adds (list_mutations.hpp): it says only
  // whether the list is empty, and a next id the entries may have passed.
  if ((meta->entry_count == 0) != entries.empty()) {
    return corrupt(list_name, "metadata counts " + std::to_string(meta->entry_count) +
                                  " entries, " + std::to_string(entries.size()) + " are stored");
  }
  const EntryId stored_next_id =
      entries.empty() ? meta->next_id : std::max<EntryId>(meta->next_id, entries.back().id + 1);
  const EntryId next_id = std::max(stored_next_id, id_floor);
  return List::restore(list_name, next_id, std::move(entries));
}

Result<List> read_list(rocksdb::DB& db, const std::string& list_name,
                       const std::filesystem::path& dir, EntryId id_floor) {
  // One snapshot for the metadata and the entries, so they agree.
  rocksdb::ManagedSnapshot snapshot(&db);
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.snapshot();

  std::string meta_bytes;
  const rocksdb::Status meta_status =
      db.Get(read_options, StorageLayout::meta_key(list_name), &meta_bytes);
  std::optional<ListMeta> meta;
  if (meta_status.ok()) {
    auto decoded = decode_list_meta(meta_bytes);
    if (!decoded) return corrupt(list_name, decoded.error().message);
    meta = decoded.value();
  } else if (!meta_status.IsNotFound()) {
    return unreadable(list_name, dir, meta_status);
  }

  const std::string prefix = StorageLayout::entry_prefix(list_name);
  const std::string prefix_end = StorageLayout::entry_prefix_end(list_name);
  const rocksdb::Slice upper_bound(prefix_end);
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  std::vector<Entry> entries;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    const auto id = StorageLayout::entry_id_of_key(it->key().ToStringView(), prefix.size());
    if (!id) return corrupt(list_name, "malformed entry key");
    auto entry = decode_entry(it->value().ToStringView());
    if (!entry) return corrupt(list_name, entry.error().message);
    if (entry.value().id != *id) {
      return corrupt(list_name, "entry " + std::to_string(*id) + " is stored under another id");
    }
    entries.push_back(std::move(entry).value());
  }
  if (!it->status().ok()) return unreadable(list_name, dir, it->status());
  return restore_list(list_name, meta, std::move(entries), id_floor);
}

Result<std::vector<RememberedChange>> read_remembered_changes(rocksdb::DB& db,
                                                              const std::string& list_name,
                                                              const std::filesystem::path& dir) {
  const std::string prefix = StorageLayout::remembered_prefix(list_name);
  const std::string prefix_end = StorageLayout::remembered_prefix_end(list_name);
  const rocksdb::Slice upper_bound(prefix_end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  std::vector<RememberedChange> changes;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    const auto key = StorageLayout::idempotency_key_of(it->key().ToStringView(), prefix.size());
    if (!key) return corrupt(list_name, "malformed idempotency key");
    auto change = decode_remembered_change(it->value().ToStringView());
    if (!change) return corrupt(list_name, change.error().message);
    change.value().key = *key;
    changes.push_back(std::move(change).value());
  }
  if (!it->status().ok()) return unreadable(list_name, dir, it->status());
  // Stored in key order, remembered in sequence order. Sorted by index: gcc
  // 12 warns, wrongly, of uninitialized variant members in std::sort's moves.
  std::vector<std::size_t> order(changes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return changes[a].sequence < changes[b].sequence;
  });
  std::vector<RememberedChange> oldest_first;
  oldest_first.reserve(changes.size());
  for (std::size_t i : order) oldest_first.push_back(std::move(changes[i]));
  return oldest_first;
}

Result<StoredListKeys> read_list_keys(rocksdb::DB& db, const std::string& list_name,
                                      const std::filesystem::path& dir) {
  // One snapshot for the entries and the undo steps, so they agree.
  rocksdb::ManagedSnapshot snapshot(&db);
  StoredListKeys stored;
  const auto read_range = [&](const std::string& prefix, const std::string& prefix_end,
                              std::vector<StoredListKeys::KeyValue>& into) {
    const rocksdb::Slice upper_bound(prefix_end);
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot.snapshot();
    read_options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      into.push_back({it->key().ToString(), it->value().ToString()});
    }
    return it->status();
  };
  rocksdb::Status status = read_range(StorageLayout::entry_prefix(list_name),
                                      StorageLayout::entry_prefix_end(list_name), stored.entries);
  if (status.ok()) {
    status = read_range(StorageLayout::undo_prefix(list_name),
                        StorageLayout::undo_prefix_end(list_name), stored.undo_steps);
  }
  if (!status.ok()) return unreadable(list_name, dir, status);
  return stored;
}

Result<StoredUndoSequences> read_undo_sequences(rocksdb::DB& db, const std::string& list_name,
                                                const std::filesystem::path& dir) {
  const std::string prefix = StorageLayout::undo_prefix(list_name);
  const std::string prefix_end = StorageLayout::undo_prefix_end(list_name);
  const rocksdb::Slice upper_bound(prefix_end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  StoredUndoSequences stored;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto step = decode_undo_step(it->value().ToStringView());
    if (!step) {
      // The list itself is whole; only its undo is lost.
      log_event("undo step of list " + quoted_for_message(list_name) +
                " is corrupt, so its undo journal is emptied: " + step.error().message);
      stored.has_lost_step = true;
      continue;
    }
    stored.sequences.push_back(step.value().sequence);
  }
  if (!it->status().ok()) return unreadable(list_name, dir, it->status());
  return stored;
}

Result<std::vector<EncodedUndoHintGroup>> read_undo_hint_groups(rocksdb::DB& db,
                                                                const std::filesystem::path& dir) {
  const std::string prefix(StorageLayout::kUndoOrderPrefix);
  std::string prefix_end = prefix;
  ++prefix_end.back();
  const rocksdb::Slice upper_bound(prefix_end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  std::vector<EncodedUndoHintGroup> groups;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    const std::string_view bytes = it->value().ToStringView();
    auto group = decode_undo_hint_group(bytes);
    if (!group) {
      log_event("an undo hint in " + dir.string() +
                " is corrupt and left out; todo undo without a list may skip the change it "
                "named: " +
                group.error().message);
      continue;
    }
    groups.push_back({group.value().number, std::string(bytes)});
  }
  if (!it->status().ok()) {
    return Error::internal("cannot read the undo hints from " + describe_status(dir, it->status()));
  }
  return groups;
}

Result<std::optional<UndoStep>> read_undo_step(rocksdb::DB& db, const std::string& list_name,
                                               std::uint8_t slot,
                                               const std::filesystem::path& dir) {
  std::string value;
  const rocksdb::Status status =
      db.Get(rocksdb::ReadOptions(), StorageLayout::undo_key(list_name, slot), &value);
  if (status.IsNotFound()) return std::optional<UndoStep>();
  if (!status.ok()) return unreadable(list_name, dir, status);
  auto step = decode_undo_step(value);
  if (!step) return corrupt(list_name, "undo step: " + step.error().message);
  return std::optional<UndoStep>(std::move(step).value());
}

Result<bool> is_list_stored(rocksdb::DB& db, const std::string& list_name,
                            const std::filesystem::path& dir) {
  rocksdb::ReadOptions read_options;
  std::string ignored;
  const rocksdb::Status meta_status =
      db.Get(read_options, StorageLayout::meta_key(list_name), &ignored);
  if (meta_status.ok()) return true;
  if (!meta_status.IsNotFound()) return unreadable(list_name, dir, meta_status);

  const std::string prefix = StorageLayout::entry_prefix(list_name);
  const std::string prefix_end = StorageLayout::entry_prefix_end(list_name);
  const rocksdb::Slice upper_bound(prefix_end);
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  it->Seek(prefix);
  if (it->Valid()) return true;
  if (!it->status().ok()) return unreadable(list_name, dir, it->status());
  return false;
}

Result<std::vector<std::string>> read_list_names(rocksdb::DB& db, const std::filesystem::path& dir,
                                                 const std::string& after, std::size_t limit) {
  std::vector<std::string> names;
  if (limit == 0) return names;
  const rocksdb::Status status =
      visit_meta_keys(db, {}, after, [&](std::string_view name, rocksdb::Iterator& it) {
        if (name == after && !after.empty()) return true;
        auto meta = decode_list_meta(it.value().ToStringView());
        if (!meta) {
          // One corrupt list must not hide the others; reading it says what is wrong.
          log_event("stored list " + quoted_for_message(name) +
                    " has corrupt metadata: " + meta.error().message);
          names.emplace_back(name);
        } else if (meta.value().entry_count > 0) {
          names.emplace_back(name);
        }
        return names.size() < limit;
      });
  if (!status.ok()) return Error::internal("cannot list lists in " + describe_status(dir, status));
  return names;
}

Result<std::vector<std::string>> read_stored_list_names(rocksdb::DB& db,
                                                        const std::filesystem::path& dir) {
  rocksdb::ReadOptions read_options;
  // Only the names are wanted: a scan of a million lists need not fill the
  // block cache with their metadata.
  read_options.fill_cache = false;
  std::vector<std::string> names;
  const rocksdb::Status status =
      visit_meta_keys(db, read_options, "", [&](std::string_view name, rocksdb::Iterator&) {
        names.emplace_back(name);
        return true;
      });
  if (!status.ok()) return Error::internal("cannot list lists in " + describe_status(dir, status));
  return names;
}

}  // namespace todo
