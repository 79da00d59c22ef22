// "Did you mean": the known word a mistyped command or option was most likely
// meant to be, as git and kubectl suggest one.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace todo {

// The candidate fewest edits away from word (a letter added, removed or
// changed, or two next to each other swapped; case aside), when it is at most
// two edits away and fewer than word's length; the first such on a tie.
// Nothing when word is itself a candidate.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

// " (did you mean 'drop'?)" for closest_match's answer, quoted; "" for none.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace todo
