// The changes one list remembers by their idempotency keys, so that a change
// sent again with its key is answered its first answer and not applied twice
// (idempotency_key.hpp). A list remembers its last kMaxRemembered keyed
// changes that succeeded, each for kWindow after it was applied: a client
// retries within seconds, and the bound keeps a list's keys under 200 KB of
// memory and disk however many keyed changes it takes.
//
// What is remembered is stored with the change itself, in the same write
// (ListMutations::remember), and what is pushed out is erased in that write
// too. It is read from disk with the list's first keyed change, not with the
// list (list_reader.hpp), so lists that never see a key pay nothing for it.
//
// A remembered change is not an entry: a list whose entries hold nothing is
// still one with nothing stored (Server::LoadedList::has_nothing_stored), and
// its remembered keys, left on disk, are read again with its next keyed
// change. A drop erases the list's entries and keeps its keys, its own among
// them, so a drop sent again says what the first one said, and an add sent
// again after the drop is not applied again either.
//
// Thread safety: a plain value, used on its list's actor's turn.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/idempotency_key.hpp"
#include "common/list_operation.hpp"

namespace todo {

class ListMutations;

class RememberedChanges {
 public:
  static constexpr std::size_t kMaxRemembered = 1024;
  static constexpr std::chrono::milliseconds kWindow = std::chrono::hours(24);

  // oldest_first: as read_remembered_changes gives them.
  explicit RememberedChanges(std::vector<RememberedChange> oldest_first);

  // The change remembered under key; nullptr when there is none, or it was
  // applied more than kWindow before now_ms (unix time).
  const RememberedChange* find(const IdempotencyKey& key, std::int64_t now_ms) const;
  // What a change sent with key is answered without being applied: the
  // first answer, when it is the change remembered under key, or a refusal
  // when another change was (the fingerprints differ); none when key is not
  // remembered, and the change is to be applied.
  std::optional<ListResult> answer_again(const IdempotencyKey& key, std::uint64_t fingerprint,
                                         std::int64_t now_ms, std::string_view list_name) const;
  // Remembers a keyed change that was just applied and answered `answer`,
  // in memory and in mutations; forgets, in both, the oldest ones past the
  // bound and those past the window.
  void remember(const IdempotencyKey& key, std::uint64_t fingerprint, const ListAnswer& answer,
                std::int64_t now_ms, ListMutations& mutations);

  std::size_t size() const { return changes_.size(); }
  // The remembered changes and the heap bytes of their answers' titles.
  std::size_t approximate_bytes() const;

 private:
  struct KeyHash {
    std::size_t operator()(const IdempotencyKey& key) const noexcept {
      // Random bits already, but for keys a client counts up from a random
      // start (IdempotencyKeySource): the low word is enough, mixed with the high.
      return static_cast<std::size_t>(key.low ^ (key.high * 0x9e3779b97f4a7c15ULL));
    }
  };
  // Where a key sits in the order of remembering; one whose sequence is not
  // its change's any more was remembered again (after its window) and is
  // skipped.
  struct Arrival {
    IdempotencyKey key;
    std::uint64_t sequence = 0;
  };

  bool is_expired(const RememberedChange& change, std::int64_t now_ms) const {
    return now_ms - change.unix_ms > kWindow.count();
  }
  void forget_oldest(ListMutations& mutations);

  // By key: a lookup per keyed change, where a scan of 1,024 took as long as
  // the rest of an add to a list.
  std::unordered_map<IdempotencyKey, RememberedChange, KeyHash> changes_;
  std::deque<Arrival> arrivals_;  // by sequence, oldest first
  std::uint64_t next_sequence_ = 1;
  std::size_t entry_heap_bytes_ = 0;
};

// The unix time in milliseconds, what RememberedChange::unix_ms holds.
std::int64_t unix_now_ms();

}  // namespace todo
