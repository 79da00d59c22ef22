#include "daemon/undo_order.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace todo {

UndoOrder::UndoOrder(std::vector<UndoHintGroup> stored) {
  std::sort(stored.begin(), stored.end(),
            [](const UndoHintGroup& a, const UndoHintGroup& b) { return a.number < b.number; });
  if (!stored.empty()) next_number_.store(stored.back().number + 1, std::memory_order_relaxed);
  MutexLock lock(mutex_);
  for (const UndoHintGroup& group : stored) {
    groups_.push_back({group.number, encode_undo_hint_group(group)});
    kept_bytes_ += groups_.back().encoded.size();
  }
  trim();
}

void UndoOrder::add(std::uint64_t number, std::string encoded) {
  MutexLock lock(mutex_);
  // Workers finish in any order: a group goes where its number puts it.
  auto place = std::upper_bound(
      groups_.begin(), groups_.end(), number,
      [](std::uint64_t later, const KeptGroup& kept) { return later < kept.number; });
  kept_bytes_ += encoded.size();
  groups_.insert(place, KeptGroup{number, std::move(encoded)});
  trim();
}

void UndoOrder::trim() {
  while (groups_.size() > 1 && (groups_.size() > kKeptGroups || kept_bytes_ > kMaxKeptBytes)) {
    kept_bytes_ -= groups_.front().encoded.size();
    groups_.pop_front();
  }
}

std::vector<UndoHint> UndoOrder::newest_first() const {
  std::vector<std::string> encoded;
  {
    MutexLock lock(mutex_);
    encoded.reserve(groups_.size());
    for (auto group = groups_.rbegin(); group != groups_.rend(); ++group) {
      encoded.push_back(group->encoded);
    }
  }
  std::vector<UndoHint> hints;
  // The name each older name's steps are under now.
  std::map<std::string, std::string, std::less<>> renamed;
  const auto current_name = [&renamed](const std::string& name) -> const std::string& {
    auto found = renamed.find(name);
    return found == renamed.end() ? name : found->second;
  };
  for (const std::string& bytes : encoded) {
    // Each was encoded by this todod, or decoded from disk at start.
    auto group = decode_undo_hint_group(bytes);
    if (!group) continue;
    for (auto hint = group.value().hints.rbegin(); hint != group.value().hints.rend(); ++hint) {
      if (hint->is_rename()) {
        // Copied first: the entry written may be the one read.
        std::string now = current_name(hint->renamed_to);
        renamed[hint->list] = std::move(now);
        continue;
      }
      hints.push_back({current_name(hint->list), hint->first_step, hint->last_step, {}});
    }
  }
  return hints;
}

}  // namespace todo
