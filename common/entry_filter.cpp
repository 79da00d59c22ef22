#include "common/entry_filter.hpp"

#include <algorithm>
#include <utility>

namespace todo {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Result<void> validate_entry_filter(const EntryFilter& filter) {
  if (filter.from && filter.to && *filter.from > *filter.to) {
    return Error::invalid("the range of dates is empty: " + filter.from->to_string() +
                          " is after " + filter.to->to_string());
  }
  if (filter.search.size() > EntryFilter::kMaxSearchBytes) {
    return Error::invalid("search text is " + std::to_string(filter.search.size()) +
                          " bytes, more than " + std::to_string(EntryFilter::kMaxSearchBytes));
  }
  if (auto tags = normalized_tags(filter.tags); !tags) return std::move(tags).error();
  return {};
}

bool matches(const EntryFilter& filter, const Entry& entry) {
  if (filter.done == DoneState::pending && entry.done) return false;
  if (filter.done == DoneState::done && !entry.done) return false;
  if (filter.from && entry.date < *filter.from) return false;
  if (filter.to && entry.date > *filter.to) return false;
  if (!has_every_tag(entry.tags, filter.tags)) return false;
  return filter.search.empty() || contains_ignoring_ascii_case(entry.title, filter.search);
}

bool contains_ignoring_ascii_case(std::string_view haystack, std::string_view needle) {
  const auto found = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                 [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
  return found != haystack.end() || needle.empty();
}

}  // namespace todo
