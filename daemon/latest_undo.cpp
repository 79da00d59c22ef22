#include "daemon/latest_undo.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/undo_order.hpp"

namespace todo {
namespace {

struct Walk {
  Cache& cache;
  std::vector<UndoHint> hints;  // newest first
  std::size_t next = 0;
  std::optional<IdempotencyKey> key;
  LatestUndo::ReplyFn reply;
};

void try_next(std::shared_ptr<Walk> walk) {
  if (walk->next == walk->hints.size()) {
    walk->reply(Error::not_found(
        "nothing to undo among the changes todod keeps in order (those of its last " +
        std::to_string(UndoOrder::kKeptGroups) +
        " writes): name a list to undo its own, todo undo LIST"));
    return;
  }
  const UndoHint& hint = walk->hints[walk->next++];
  // Taken before the walk moves into the reply.
  std::string list = hint.list;
  UndoChange undo{hint.first_step, hint.last_step};
  const std::optional<IdempotencyKey> key = walk->key;
  Cache& cache = walk->cache;
  cache.send(list, std::move(undo), key, [walk = std::move(walk), list](ListResult result) mutable {
    if (!result && result.error().code == StatusCode::not_found) {
      try_next(std::move(walk));
    } else if (!result) {
      walk->reply(result.error());
    } else {
      walk->reply(UndoneIn{std::move(list), std::get<Undone>(result.value())});
    }
  });
}

}  // namespace

void LatestUndo::start(Cache& cache, std::optional<IdempotencyKey> key, ReplyFn reply) {
  try_next(std::make_shared<Walk>(
      Walk{cache, cache.database().undo_order().newest_first(), 0, key, std::move(reply)}));
}

}  // namespace todo
