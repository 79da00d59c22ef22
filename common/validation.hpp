// The rules for text that enters the system: list names, entry titles, tags.
// All must be valid UTF-8 (no overlong forms, no surrogates, nothing above
// U+10FFFF) without control characters (C0, DEL, C1); titles may contain tabs.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace todo {

inline constexpr std::size_t kMaxListNameBytes = 255;
inline constexpr std::size_t kMaxTitleBytes = 4096;
inline constexpr std::size_t kMaxTagBytes = 64;

// 1..255 bytes. The error says which rule failed.
Result<void> validate_list_name(std::string_view name);
// 1..4096 bytes. The error says which rule failed.
Result<void> validate_title(std::string_view title);
// 1..64 bytes of the same text as a list name, one word: no space or comma
// (the CLI's --tag a,b), and not starting with '+' or '-', which the CLI
// reads as the tag's marker and as a flag.
Result<void> validate_tag(std::string_view tag);

// Quoted for messages: control and invalid bytes shown as \xNN, characters a
// terminal would draw as nothing or that reorder what follows (the ones list
// names may not hold, list_name.hpp) as <U+XXXX>, long text cut.
std::string quoted_for_message(std::string_view text);

}  // namespace todo
