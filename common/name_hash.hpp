// FNV-1a over a list name: stable across runs, builds and machines (unlike
// std::hash), which a mapping of lists to database workers must be.
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

}  // namespace todo
