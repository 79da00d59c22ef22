// Hashes of list names. FNV-1a is stable across runs, builds and machines
// (unlike std::hash), which a mapping of lists to database workers must be.
//
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <string_view>

namespace todo {

inline std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

// FNV-1a with a multiply-xorshift finaliser (from splitmix64), so that both
// the high bits and the low bits depend on every byte: the Cache picks a shard
// by the top bits and a slot by the low ones.
inline std::uint64_t mixed_name_hash(std::string_view name) {
  std::uint64_t hash = fnv1a(name);
  hash ^= hash >> 31;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  return hash;
}

}  // namespace todo
