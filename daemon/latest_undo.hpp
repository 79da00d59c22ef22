// `todo undo` without a list: reverts the newest change of any list. The
// UndoOrder says where the newest steps were written, newest first; each
// list named is asked, in turn, to undo only if its newest step is the one
// hinted (UndoChange::first_step), and the first that can revert it does,
// through its own actor as `todo undo LIST` would. A list whose newest step
// is another (undone since, or changed by a todod that wrote no hints)
// answers not found, and the next hint is tried.
//
// With a key, each list is asked with it: a list that remembers the key
// answers what it answered before, whatever its newest step, so a retry
// reaches the list the first try reverted before any older hint.
//
// Changes made while the walk runs may or may not be the one it reverts, as
// with any request that races another. Nothing is undone twice: each list
// checks the hint on its own turn.
//
// Thread safety: start() may be called from any thread; the reply comes
// once, on some thread.
#pragma once

#include <functional>
#include <optional>

#include "common/idempotency_key.hpp"
#include "common/protocol.hpp"
#include "common/result.hpp"

namespace todo {

class Cache;

class LatestUndo {
 public:
  using ReplyFn = std::function<void(Result<UndoneIn>)>;

  // REQUIRES: cache outlives the walk (the System's does).
  // With a key, each list is asked with it (UndoLatest::key).
  static void start(Cache& cache, std::optional<IdempotencyKey> key, ReplyFn reply);
};

}  // namespace todo
