#include "daemon/storage/list_mutations.hpp"

#include "common/codec.hpp"
#include "daemon/storage/storage_layout.hpp"

namespace todo {

ListMutations::ListMutations(std::string_view list_name, const List& before)
    : list_name_(list_name), was_empty_(before.size() == 0) {}

void ListMutations::put_entry(const Entry& entry) {
  mutations_.push_back({StorageMutation::Kind::put, StorageLayout::entry_key(list_name_, entry.id),
                        encode_entry(entry)});
}

void ListMutations::erase_entry(EntryId id) {
  has_removal_ = true;
  mutations_.push_back(
      {StorageMutation::Kind::erase, StorageLayout::entry_key(list_name_, id), {}});
}

void ListMutations::erase_all_entries(const List& list) {
  if (list.size() == 0) return;
  if (list.size() <= kMaxPointErasesPerDrop) {
    for (const Entry& entry : list.entries()) erase_entry(entry.id);
    return;
  }
  has_removal_ = true;
  mutations_.push_back({StorageMutation::Kind::erase_range, StorageLayout::entry_prefix(list_name_),
                        StorageLayout::entry_prefix_end(list_name_)});
}

void ListMutations::remember(const RememberedChange& change) {
  mutations_.push_back({StorageMutation::Kind::put,
                        StorageLayout::remembered_key(list_name_, change.key),
                        encode_remembered_change(change)});
}

void ListMutations::forget(const IdempotencyKey& key) {
  mutations_.push_back(
      {StorageMutation::Kind::erase, StorageLayout::remembered_key(list_name_, key), {}});
}

void ListMutations::put_undo_step(std::uint8_t slot, std::string encoded) {
  mutations_.push_back(
      {StorageMutation::Kind::put, StorageLayout::undo_key(list_name_, slot), std::move(encoded)});
}

void ListMutations::erase_undo_step(std::uint8_t slot) {
  mutations_.push_back(
      {StorageMutation::Kind::erase, StorageLayout::undo_key(list_name_, slot), {}});
}

void ListMutations::erase_stored(const StoredListKeys& stored) {
  if (!stored.entries.empty()) has_removal_ = true;
  if (stored.entries.size() <= kMaxPointErasesPerDrop) {
    for (const auto& entry : stored.entries) {
      mutations_.push_back({StorageMutation::Kind::erase, entry.key, {}});
    }
  } else {
    mutations_.push_back({StorageMutation::Kind::erase_range,
                          StorageLayout::entry_prefix(list_name_),
                          StorageLayout::entry_prefix_end(list_name_)});
  }
  for (const auto& step : stored.undo_steps) {
    mutations_.push_back({StorageMutation::Kind::erase, step.key, {}});
  }
}

void ListMutations::take_stored(std::string_view renamed, const StoredListKeys& stored) {
  // Every key is its tag, the list's name, then what follows the name.
  const std::size_t name_end = 1 + renamed.size();
  for (const auto* keys : {&stored.entries, &stored.undo_steps}) {
    for (const auto& taken : *keys) {
      std::string key;
      key.reserve(taken.key.size() - renamed.size() + list_name_.size());
      key.append(taken.key, 0, 1).append(list_name_).append(taken.key, name_end);
      mutations_.push_back({StorageMutation::Kind::put, std::move(key), taken.value});
    }
  }
}

std::vector<StorageMutation> ListMutations::finish(const List& after) && {
  return std::move(*this).finish(after.next_id(), after.size());
}

std::vector<StorageMutation> ListMutations::finish(EntryId next_id, std::size_t size) && {
  if (mutations_.empty()) return {};
  if (has_removal_ || was_empty_ != (size == 0)) {
    mutations_.push_back({StorageMutation::Kind::put, StorageLayout::meta_key(list_name_),
                          encode_list_meta({next_id, size})});
  }
  return std::move(mutations_);
}

}  // namespace todo
