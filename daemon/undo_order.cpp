#include "daemon/undo_order.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace todo {

UndoOrder::UndoOrder(std::vector<UndoHintGroup> stored) {
  std::sort(stored.begin(), stored.end(),
            [](const UndoHintGroup& a, const UndoHintGroup& b) { return a.number < b.number; });
  if (!stored.empty()) next_number_.store(stored.back().number + 1, std::memory_order_relaxed);
  MutexLock lock(mutex_);
  groups_.assign(std::make_move_iterator(stored.begin()), std::make_move_iterator(stored.end()));
  trim();
}

void UndoOrder::add(UndoHintGroup group) {
  MutexLock lock(mutex_);
  // Workers finish in any order: a group goes where its number puts it.
  auto place = std::upper_bound(
      groups_.begin(), groups_.end(), group.number,
      [](std::uint64_t number, const UndoHintGroup& kept) { return number < kept.number; });
  groups_.insert(place, std::move(group));
  trim();
}

void UndoOrder::trim() {
  while (groups_.size() > kKeptGroups) groups_.pop_front();
}

std::vector<UndoHint> UndoOrder::newest_first() const {
  std::vector<UndoHint> hints;
  // The name each older name's steps are under now.
  std::map<std::string, std::string, std::less<>> renamed;
  const auto current_name = [&renamed](const std::string& name) -> const std::string& {
    auto found = renamed.find(name);
    return found == renamed.end() ? name : found->second;
  };
  MutexLock lock(mutex_);
  for (auto group = groups_.rbegin(); group != groups_.rend(); ++group) {
    for (auto hint = group->hints.rbegin(); hint != group->hints.rend(); ++hint) {
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
