#include "common/tags.hpp"

#include <algorithm>
#include <utility>

#include "common/validation.hpp"

namespace todo {
namespace {

Error too_many_tags(std::size_t count) {
  return Error::invalid("an entry carries at most " + std::to_string(kMaxTagsPerEntry) +
                        " tags, not " + std::to_string(count));
}

}  // namespace

Result<Tags> normalized_tags(Tags tags) {
  for (const std::string& tag : tags) {
    if (auto valid = validate_tag(tag); !valid) return std::move(valid).error();
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  if (tags.size() > kMaxTagsPerEntry) return too_many_tags(tags.size());
  return tags;
}

bool has_tag(const Tags& tags, std::string_view tag) {
  return std::binary_search(tags.begin(), tags.end(), tag, std::less<>{});
}

bool has_every_tag(const Tags& tags, const Tags& wanted) {
  return std::all_of(wanted.begin(), wanted.end(),
                     [&tags](const std::string& tag) { return has_tag(tags, tag); });
}

Result<Tags> apply_tag_change(const TagChange& change, const Tags& current) {
  Tags tags = change.replacement ? *change.replacement : current;
  tags.insert(tags.end(), change.added.begin(), change.added.end());
  for (const std::string& tag : change.removed) {
    if (auto valid = validate_tag(tag); !valid) return std::move(valid).error();
    tags.erase(std::remove(tags.begin(), tags.end(), tag), tags.end());
  }
  return normalized_tags(std::move(tags));
}

std::optional<std::string_view> tag_of_word(std::string_view word) {
  if (word.size() < 2 || word.front() != '+') return std::nullopt;
  const std::string_view tag = word.substr(1);
  if ((tag.front() >= '0' && tag.front() <= '9') || !validate_tag(tag)) return std::nullopt;
  return tag;
}

}  // namespace todo
