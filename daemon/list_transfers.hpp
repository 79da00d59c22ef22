// Changes to two lists at once: a rename (RenameList), the move of one entry
// to another list (MoveEntry), and the undo of a move (UndoChange). Each is
// one RocksDB write batch, through the source list's DatabaseWorker, so after
// a crash all of it is on disk or none of it; it is answered once that batch
// is durable.
//
// Both lists' actors are borrowed (Server::lend), the source's first: while
// a transfer holds them they take no turn, so nothing changes either list
// between what the transfer reads and what it writes, and neither keeps a
// list in memory that the batch changed under it. One transfer runs at a
// time and the rest wait in arrival order: two that cross (a to b while b to
// a) would otherwise each hold one actor and wait for the other. Transfers
// are what a person does now and then; requests to other lists never wait
// for them.
//
// A loan queues behind what each list already has queued, so a transfer
// comes after the requests sent for its lists before it, but for one that
// waits behind another transfer: requests sent for its lists meanwhile may
// come first. So may those pipelined behind an undo that its list hands
// over; the undo then finds its move no longer the newest change, and
// refuses (busy) rather than revert anything else.
//
// A rename keeps the entries' ids and takes the undo journal with the list;
// its remembered changes stay with the name, which a retry names. It takes
// only a name no list has used (one whose next id is the id floor): a used
// name's ids would be handed out twice, and an undo of a move recorded under
// the name could then take another entry for the one it moved.
//
// A move gives the entry the next id of the list it goes to, and writes an
// undo step in both lists, each naming the other. An undo in either list
// whose newest step is a move comes here too (Server hands it over): the
// entry, as it is now, goes back under its old id, and the step is used up
// in both lists (in the other only while it is still the newest there;
// reached later, that list's undo finds the entry gone, says so and empties
// its journal). A transfer with an idempotency key is remembered by the list
// the request named.
//
// Thread safety: start() may be called from any thread; the rest runs on the
// threads the loans and the write complete on, one transfer at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/idempotency_key.hpp"
#include "common/list_operation.hpp"
#include "daemon/runtime/mutex.hpp"
#include "daemon/server.hpp"
#include "daemon/storage/storage_mutation.hpp"

namespace todo {

class Cache;

class ListTransfers {
 public:
  explicit ListTransfers(Cache& cache);
  ListTransfers(const ListTransfers&) = delete;
  ListTransfers& operator=(const ListTransfers&) = delete;
  ~ListTransfers();

  // reply is called exactly once, on some thread. Counted in the
  // SystemCounters as a request to one list is.
  // REQUIRES: is_transfer(operation), or an UndoChange whose list's newest
  // step is a move; source and the list the operation names resolved
  // (list_name_resolution.hpp).
  void start(std::string source, ListOperation operation, std::optional<IdempotencyKey> key,
             Server::ReplyFn reply);

 private:
  struct Transfer;

  // Borrows the source's actor, then (source_lent) the destination's; with
  // both (both_lent) writes, and then (written) answers.
  void begin(Transfer& transfer);
  // Lends the list's actor into held, then calls then; finishes the
  // transfer with the error when the list cannot be read.
  void borrow(Transfer& transfer, const std::string& list, std::shared_ptr<Server> Transfer::*held,
              void (ListTransfers::*then)(Transfer&));
  void source_lent(Transfer& transfer);
  void both_lent(Transfer& transfer);
  // The batch of a transfer whose actors are both lent; an error leaves
  // nothing to write.
  Result<std::vector<StorageMutation>> rename_mutations(Transfer& transfer);
  Result<std::vector<StorageMutation>> move_mutations(Transfer& transfer);
  Result<std::vector<StorageMutation>> undo_move_mutations(Transfer& transfer);
  // Refuses an undo, emptying the source's journal, in a batch of its own.
  void empty_journal(Transfer& transfer, const std::string& why);
  // Writes the batch through the source's worker (then written), or
  // finishes with the error.
  void submit(Transfer& transfer, Result<std::vector<StorageMutation>> mutations);
  void written(Transfer& transfer, Result<void> outcome);
  // Ends the loans held, answers, and begins the next transfer.
  void finish(Transfer& transfer, ListResult result);
  void answer(Server::ReplyFn& reply, ListResult result);

  Cache& cache_;
  Mutex mutex_;
  // The transfer running first, then those waiting, oldest first.
  std::deque<std::unique_ptr<Transfer>> queue_ GUARDED_BY(mutex_);
};

}  // namespace todo
