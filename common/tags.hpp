// The tags of an entry: words that group entries across dates and lists
// ("+work" on the command line, Taskwarrior's convention). An entry keeps its
// tags sorted bytewise, each once, at most kMaxTagsPerEntry of them, each one
// valid by validate_tag(). Tags are compared as bytes: "Work" is not "work".
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace todo {

// Far more than a person gives one entry; bounds what a filter compares.
inline constexpr std::size_t kMaxTagsPerEntry = 32;

using Tags = std::vector<std::string>;

// The tags sorted, each once, every one checked. Fails naming the first bad
// tag, or the count when there are more than kMaxTagsPerEntry.
Result<Tags> normalized_tags(Tags tags);

// REQUIRES: tags normalized.
bool has_tag(const Tags& tags, std::string_view tag);
// Whether tags hold every one of wanted. REQUIRES: tags normalized.
bool has_every_tag(const Tags& tags, const Tags& wanted);

// What an update does to an entry's tags: replaces them all when replacement
// is set (the HTTP API's PATCH), then adds added and removes removed (the
// CLI's --tag and --untag, applied on the list's turn so that two of them at
// once both take effect). Removing a tag the entry does not carry is no error.
struct TagChange {
  std::optional<Tags> replacement;
  Tags added;
  Tags removed;

  friend bool operator==(const TagChange&, const TagChange&) = default;
};

// The tags after change, normalized. Fails, saying why, when a tag named is
// not valid or the result holds more than kMaxTagsPerEntry.
Result<Tags> apply_tag_change(const TagChange& change, const Tags& current);

// The tag a word of an added title stands for, Taskwarrior's way: a word
// "+TAG" where TAG is a valid tag that does not start with a digit, so that
// "+5" and "+3d" stay text. None for any other word.
std::optional<std::string_view> tag_of_word(std::string_view word);

}  // namespace todo
