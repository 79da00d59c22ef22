#include "daemon/storage/storage_layout.hpp"

namespace todo {

std::string StorageLayout::meta_key(std::string_view list_name) {
  std::string key;
  key.reserve(1 + list_name.size());
  key += kMetaTag;
  key += list_name;
  return key;
}

std::string_view StorageLayout::list_name_of_meta_key(std::string_view key) {
  return key.substr(1);
}

std::string StorageLayout::entry_prefix(std::string_view list_name) {
  std::string prefix;
  prefix.reserve(2 + list_name.size() + sizeof(EntryId));
  prefix += kEntryTag;
  prefix += list_name;
  prefix += '\0';
  return prefix;
}

std::string StorageLayout::entry_prefix_end(std::string_view list_name) {
  std::string end = entry_prefix(list_name);
  end.back() = '\1';
  return end;
}

std::string StorageLayout::entry_key(std::string_view list_name, EntryId id) {
  std::string key = entry_prefix(list_name);
  for (int shift = 56; shift >= 0; shift -= 8) {
    key += static_cast<char>((id >> shift) & 0xff);
  }
  return key;
}

std::optional<EntryId> StorageLayout::entry_id_of_key(std::string_view key,
                                                      std::size_t prefix_size) {
  if (key.size() != prefix_size + sizeof(EntryId)) return std::nullopt;
  EntryId id = 0;
  for (std::size_t i = prefix_size; i < key.size(); ++i) {
    id = (id << 8) | static_cast<unsigned char>(key[i]);
  }
  return id;
}

namespace {

void append_big_endian(std::string& key, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) key += static_cast<char>((value >> shift) & 0xff);
}

std::uint64_t read_big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

}  // namespace

std::string StorageLayout::remembered_prefix(std::string_view list_name) {
  std::string prefix;
  prefix.reserve(2 + list_name.size() + 16);
  prefix += kRememberedTag;
  prefix += list_name;
  prefix += '\0';
  return prefix;
}

std::string StorageLayout::remembered_prefix_end(std::string_view list_name) {
  std::string end = remembered_prefix(list_name);
  end.back() = '\1';
  return end;
}

std::string StorageLayout::remembered_key(std::string_view list_name, const IdempotencyKey& key) {
  std::string stored = remembered_prefix(list_name);
  append_big_endian(stored, key.high);
  append_big_endian(stored, key.low);
  return stored;
}

std::string StorageLayout::undo_prefix(std::string_view list_name) {
  std::string prefix;
  prefix.reserve(2 + list_name.size() + 1);
  prefix += kUndoTag;
  prefix += list_name;
  prefix += '\0';
  return prefix;
}

std::string StorageLayout::undo_prefix_end(std::string_view list_name) {
  std::string end = undo_prefix(list_name);
  end.back() = '\1';
  return end;
}

std::string StorageLayout::undo_order_key(std::uint8_t worker, std::uint8_t slot) {
  std::string key(kUndoOrderPrefix);
  key += static_cast<char>(worker);
  key += static_cast<char>(slot);
  return key;
}

std::string StorageLayout::undo_key(std::string_view list_name, std::uint8_t slot) {
  std::string stored = undo_prefix(list_name);
  stored += static_cast<char>(slot);
  return stored;
}

std::optional<IdempotencyKey> StorageLayout::idempotency_key_of(std::string_view key,
                                                                std::size_t prefix_size) {
  if (key.size() != prefix_size + 16) return std::nullopt;
  return IdempotencyKey{read_big_endian(key.substr(prefix_size, 8)),
                        read_big_endian(key.substr(prefix_size + 8, 8))};
}

}  // namespace todo
