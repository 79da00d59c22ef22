#include "daemon/undo_order.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace todo {

UndoOrder::UndoOrder(std::vector<EncodedUndoHintGroup> stored) {
  std::sort(stored.begin(), stored.end(),
            [](const EncodedUndoHintGroup& a, const EncodedUndoHintGroup& b) {
              return a.number < b.number;
            });
  if (!stored.empty()) next_number_.store(stored.back().number + 1, std::memory_order_relaxed);
  MutexLock lock(mutex_);
  for (EncodedUndoHintGroup& group : stored) {
    kept_bytes_ += group.bytes.size();
    groups_.push_back(std::move(group));
  }
  trim();
}

void UndoOrder::add(EncodedUndoHintGroup group) {
  MutexLock lock(mutex_);
  // Workers finish in any order: a group goes where its number puts it.
  auto place = std::upper_bound(
      groups_.begin(), groups_.end(), group.number,
      [](std::uint64_t later, const EncodedUndoHintGroup& kept) { return later < kept.number; });
  kept_bytes_ += group.bytes.size();
  groups_.insert(place, std::move(group));
  trim();
}

void UndoOrder::trim() {
  while (groups_.size() > 1 && (groups_.size() > kKeptGroups || kept_bytes_ > kMaxKeptBytes)) {
    kept_bytes_ -= groups_.front().bytes.size();
    groups_.pop_front();
  }
}

std::vector<UndoHint> UndoOrder::newest_first() const {
  std::vector<std::string> encoded;
  {
    MutexLock lock(mutex_);
    encoded.reserve(groups_.size());
    for (auto group = groups_.rbegin(); group != groups_.rend(); ++group) {
      encoded.push_back(group->bytes);
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
