#include "daemon/remembered_changes.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "common/validation.hpp"
#include "daemon/storage/list_mutations.hpp"

namespace todo {
namespace {

// As the Server counts an entry: its own heap blocks, if any.
std::size_t entry_heap_bytes(const RememberedChange& change) {
  if (const Entry* entry = std::get_if<Entry>(&change.answer)) return heap_bytes(*entry);
  if (const Undone* undone = std::get_if<Undone>(&change.answer)) return heap_bytes(undone->entry);
  return 0;
}

}  // namespace

RememberedChanges::RememberedChanges(std::vector<RememberedChange> oldest_first) {
  changes_.reserve(oldest_first.size());
  for (RememberedChange& change : oldest_first) {
    next_sequence_ = std::max(next_sequence_, change.sequence + 1);
    entry_heap_bytes_ += entry_heap_bytes(change);
    arrivals_.push_back({change.key, change.sequence});
    const IdempotencyKey key = change.key;
    changes_.insert_or_assign(key, std::move(change));
  }
}

const RememberedChange* RememberedChanges::find(const IdempotencyKey& key,
                                                std::int64_t now_ms) const {
  const auto it = changes_.find(key);
  if (it == changes_.end() || is_expired(it->second, now_ms)) return nullptr;
  return &it->second;
}

std::optional<ListResult> RememberedChanges::answer_again(const IdempotencyKey& key,
                                                          std::uint64_t fingerprint,
                                                          std::int64_t now_ms,
                                                          std::string_view list_name) const {
  const RememberedChange* first = find(key, now_ms);
  if (first == nullptr) return std::nullopt;
  if (first->fingerprint != fingerprint) {
    return Error::invalid("idempotency key " + describe(key) +
                          " came before with another change to list " +
                          quoted_for_message(list_name) + ": a key names one change");
  }
  return first->answer;
}

void RememberedChanges::forget_oldest(ListMutations& mutations) {
  const Arrival oldest = arrivals_.front();
  arrivals_.pop_front();
  const auto it = changes_.find(oldest.key);
  if (it == changes_.end() || it->second.sequence != oldest.sequence) return;
  mutations.forget(oldest.key);
  entry_heap_bytes_ -= entry_heap_bytes(it->second);
  changes_.erase(it);
}

void RememberedChanges::remember(const IdempotencyKey& key, std::uint64_t fingerprint,
                                 const ListAnswer& answer, std::int64_t now_ms,
                                 ListMutations& mutations) {
  // An expired change under the same key: the put below replaces it on disk,
  // and its arrival is skipped when it comes to the front.
  if (const auto it = changes_.find(key); it != changes_.end()) {
    entry_heap_bytes_ -= entry_heap_bytes(it->second);
    changes_.erase(it);
  }
  // The oldest are at the front, by sequence and so, while the clock does
  // not step back, by time.
  while (!arrivals_.empty()) {
    const auto front = changes_.find(arrivals_.front().key);
    const bool is_stale =
        front == changes_.end() || front->second.sequence != arrivals_.front().sequence;
    if (!is_stale && changes_.size() < kMaxRemembered && !is_expired(front->second, now_ms)) {
      break;
    }
    forget_oldest(mutations);
  }
  const std::uint64_t sequence = next_sequence_++;
  arrivals_.push_back({key, sequence});
  RememberedChange& change =
      changes_.insert_or_assign(key, RememberedChange{key, sequence, now_ms, fingerprint, answer})
          .first->second;
  entry_heap_bytes_ += entry_heap_bytes(change);
  mutations.remember(change);
}

std::size_t RememberedChanges::approximate_bytes() const {
  // A hash node: the key and the change, the next pointer, the cached hash
  // and malloc's header; a bucket pointer; an arrival.
  constexpr std::size_t kNodeBytes =
      sizeof(IdempotencyKey) + sizeof(RememberedChange) + 8 + 8 + 8 + 8;
  return sizeof(RememberedChanges) + changes_.size() * kNodeBytes +
         arrivals_.size() * sizeof(Arrival) + entry_heap_bytes_;
}

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace todo
