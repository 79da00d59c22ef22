#include "daemon/latest_undo.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common/validation.hpp"
#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/system_counters.hpp"
#include "daemon/undo_journal.hpp"
#include "daemon/undo_order.hpp"

namespace todo {
namespace {

struct Walk {
  Cache& cache;
  std::vector<UndoHint> hints;  // newest first
  std::size_t next = 0;
  std::optional<IdempotencyKey> key;
  LatestUndo::ReplyFn reply;

  // In progress from start to answer, so that a stop of todod waits for it
  // also between two of the lists it asks; each list asked counts as a
  // request served.
  void answer(Result<UndoneIn> result) {
    cache.counters().requests_in_progress.fetch_sub(1, std::memory_order_release);
    reply(std::move(result));
  }
};

void try_next(std::shared_ptr<Walk> walk) {
  if (walk->next == walk->hints.size()) {
    walk->answer(Error::not_found(
        "nothing to undo among the changes todod keeps in order (those of its last " +
        std::to_string(UndoOrder::kKeptGroups) +
        " writes at most): name a list to undo its own, todo undo LIST"));
    return;
  }
  const UndoHint& hint = walk->hints[walk->next++];
  if (hint.is_unrecorded_change()) {
    // The newest change left no step: reverting an older one instead, of
    // another list perhaps, would not be the undo asked for.
    walk->answer(Error::not_found(
        "the last change that can be reached, to list " + quoted_for_message(hint.list) +
        ", cannot be undone: it was a drop of over " +
        std::to_string(UndoJournal::kMaxStepBytes >> 20) +
        " MiB, which is not kept; name a list to undo its own, todo undo LIST"));
    return;
  }
  // Taken before the walk moves into the reply.
  std::string list = hint.list;
  UndoChange undo{hint.first_step, hint.last_step};
  const std::optional<IdempotencyKey> key = walk->key;
  Cache& cache = walk->cache;
  cache.send(list, std::move(undo), key, [walk = std::move(walk), list](ListResult result) mutable {
    if (!result && result.error().code == StatusCode::not_found) {
      try_next(std::move(walk));
    } else if (!result) {
      walk->answer(result.error());
    } else {
      walk->answer(UndoneIn{std::move(list), std::get<Undone>(result.value())});
    }
  });
}

}  // namespace

void LatestUndo::start(Cache& cache, std::optional<IdempotencyKey> key, ReplyFn reply) {
  auto walk = std::make_shared<Walk>(
      Walk{cache, cache.database().undo_order().newest_first(), 0, key, std::move(reply)});
  // Counted once nothing before the answer can throw.
  cache.counters().requests_in_progress.fetch_add(1, std::memory_order_relaxed);
  try_next(std::move(walk));
}

}  // namespace todo
