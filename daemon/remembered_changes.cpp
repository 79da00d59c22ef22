#include "daemon/remembered_changes.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "daemon/storage/list_mutations.hpp"

namespace todo {
namespace {

// As the Server counts an entry's title: its own heap block, if any.
std::size_t title_heap_bytes(const RememberedChange& change) {
  static const std::size_t inline_capacity = std::string().capacity();
  const Entry* entry = std::get_if<Entry>(&change.answer);
  if (entry == nullptr || entry->title.capacity() <= inline_capacity) return 0;
  return entry->title.capacity() + 1 + 8;
}

}  // namespace

RememberedChanges::RememberedChanges(std::vector<RememberedChange> oldest_first) {
  for (RememberedChange& change : oldest_first) {
    next_sequence_ = std::max(next_sequence_, change.sequence + 1);
    title_heap_bytes_ += title_heap_bytes(change);
    changes_.push_back(std::move(change));
  }
}

const RememberedChange* RememberedChanges::find(const IdempotencyKey& key,
                                                std::int64_t now_ms) const {
  // From the newest: a retry follows its first try closely.
  for (auto it = changes_.rbegin(); it != changes_.rend(); ++it) {
    if (it->key == key) return is_expired(*it, now_ms) ? nullptr : &*it;
  }
  return nullptr;
}

void RememberedChanges::remember(const IdempotencyKey& key, std::uint64_t fingerprint,
                                 const ListAnswer& answer, std::int64_t now_ms,
                                 ListMutations& mutations) {
  const auto forget = [&](std::deque<RememberedChange>::iterator it) {
    title_heap_bytes_ -= title_heap_bytes(*it);
    return changes_.erase(it);
  };
  // An expired change under the same key: the put below replaces it on disk.
  for (auto it = changes_.begin(); it != changes_.end();) {
    it = it->key == key ? forget(it) : std::next(it);
  }
  // The oldest are at the front, by sequence and so, while the clock does
  // not step back, by time.
  while (!changes_.empty() &&
         (changes_.size() >= kMaxRemembered || is_expired(changes_.front(), now_ms))) {
    mutations.forget(changes_.front().key);
    forget(changes_.begin());
  }
  RememberedChange& change =
      changes_.emplace_back(RememberedChange{key, next_sequence_++, now_ms, fingerprint, answer});
  title_heap_bytes_ += title_heap_bytes(change);
  mutations.remember(change);
}

std::size_t RememberedChanges::approximate_bytes() const {
  return sizeof(RememberedChanges) + changes_.size() * sizeof(RememberedChange) + title_heap_bytes_;
}

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace todo
