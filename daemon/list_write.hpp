// One list's changes on their way to disk: the key/value mutations of a group
// of requests (ListMutations, computed on the Server's turn), and what to call
// once they are durable (or have failed). A DatabaseWorker applies a ListWrite all or nothing.
//
// Thread safety: a plain value, handed from a Server's turn to a worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/codec.hpp"
#include "common/result.hpp"
#include "daemon/storage/storage_mutation.hpp"

namespace todo {

struct ListWrite {
  std::vector<StorageMutation> mutations;
  // Called once, on the worker's thread. It may answer requests (encode and
  // queue replies) but must not block: the worker's next batch waits for it.
  std::function<void(Result<void>)> on_done;
  // Where the mutations write undo steps, or the rename they make, for
  // `todo undo` without a list (undo_order.hpp): the worker writes these in
  // the same batch. Empty when they write none.
  std::vector<UndoHint> undo_hints;
  // Database::generation() when the list the mutations were computed on was
  // loaded: refused if the database has been reopened since.
  std::uint32_t generation = 0;
};

}  // namespace todo
