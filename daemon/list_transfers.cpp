#include "daemon/list_transfers.hpp"

#include <exception>
#include <iterator>
#include <string>
#include <utility>
#include <variant>

#include "common/validation.hpp"
#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/list_write.hpp"
#include "daemon/remembered_changes.hpp"
#include "daemon/storage/list_mutations.hpp"
#include "daemon/system_counters.hpp"
#include "daemon/undo_journal.hpp"

namespace todo {

struct ListTransfers::Transfer {
  std::string source;
  std::string destination;
  ListOperation operation;
  std::optional<IdempotencyKey> key;
  Server::ReplyFn reply;
  std::shared_ptr<Server> source_server;       // while lent
  std::shared_ptr<Server> destination_server;  // while lent
  // Once computed: what the answer is, when the write succeeds.
  ListResult answer = Error::internal("not computed");
  // Once computed: where the write puts undo steps, or the rename it makes.
  std::vector<UndoHint> undo_hints;

  bool is_rename() const { return std::holds_alternative<RenameList>(operation); }
  bool is_undo() const { return std::holds_alternative<UndoChange>(operation); }
};

namespace {

// One batch of the changes to both lists, in order.
std::vector<StorageMutation> joined(std::vector<StorageMutation> first,
                                    std::vector<StorageMutation> second) {
  first.insert(first.end(), std::make_move_iterator(second.begin()),
               std::make_move_iterator(second.end()));
  return first;
}

}  // namespace

ListTransfers::ListTransfers(Cache& cache) : cache_(cache) {}

ListTransfers::~ListTransfers() = default;

void ListTransfers::start(std::string source, ListOperation operation,
                          std::optional<IdempotencyKey> key, Server::ReplyFn reply) {
  auto transfer = std::make_unique<Transfer>();
  cache_.counters().requests_in_progress.fetch_add(1, std::memory_order_relaxed);
  transfer->source = std::move(source);
  // An undo's other list is known once its step is read (source_lent).
  if (const std::string* other = other_list_name(operation)) transfer->destination = *other;
  transfer->operation = std::move(operation);
  transfer->key = key;
  transfer->reply = std::move(reply);
  if (!transfer->is_undo() && transfer->source == transfer->destination) {
    const std::string list = quoted_for_message(transfer->source);
    answer(transfer->reply,
           Error::invalid(transfer->is_rename()
                              ? "list " + list + " already has that name"
                              : "entry " +
                                    std::to_string(std::get<MoveEntry>(transfer->operation).id) +
                                    " is in list " + list + " already"));
    return;
  }
  Transfer* first = nullptr;
  {
    MutexLock lock(mutex_);
    queue_.push_back(std::move(transfer));
    if (queue_.size() == 1) first = queue_.front().get();
  }
  if (first != nullptr) begin(*first);
}

void ListTransfers::begin(Transfer& transfer) {
  borrow(transfer, transfer.source, &Transfer::source_server, &ListTransfers::source_lent);
}

void ListTransfers::borrow(Transfer& transfer, const std::string& list,
                           std::shared_ptr<Server> Transfer::*held,
                           void (ListTransfers::*then)(Transfer&)) {
  cache_.lend(list, [this, &transfer, held, then](Result<std::shared_ptr<Server>> lent) {
    if (!lent) {
      finish(transfer, lent.error());
      return;
    }
    transfer.*held = std::move(lent).value();
    (this->*then)(transfer);
  });
}

void ListTransfers::source_lent(Transfer& transfer) {
  Server::LoadedList& source = transfer.source_server->lent_list();
  // Nothing of a lent list is in flight: the steps of its last group are on
  // disk, and the hints (submit) name this write's. Before newest(), whose
  // read the journal keeps for the undo's take.
  source.journal->start_group();
  if (transfer.key) {
    if (auto again =
            source.remembered->answer_again(*transfer.key, change_fingerprint(transfer.operation),
                                            unix_now_ms(), transfer.source)) {
      finish(transfer, std::move(again).value());
      return;
    }
  }
  // What the source alone can refuse, it refuses before a second actor waits.
  if (transfer.is_undo()) {
    auto newest = source.journal->newest(
        [&](std::uint8_t slot) { return cache_.database().load_undo_step(transfer.source, slot); });
    if (!newest) {
      finish(transfer, newest.error());
      return;
    }
    const UndoChange& asked = std::get<UndoChange>(transfer.operation);
    if (asked.is_conditional() &&
        (!newest.value() || !source.journal->is_newest_within(asked.first_step, asked.last_step))) {
      finish(transfer, not_the_newest_step(transfer.source));
      return;
    }
    // Requests queued before the loan came first (list_transfers.hpp).
    if (!newest.value() || newest.value()->change != ChangeKind::move) {
      finish(transfer,
             Error::busy("list " + quoted_for_message(transfer.source) +
                         " changed while its undo waited, so nothing was undone: undo again"));
      return;
    }
    transfer.destination = newest.value()->other_list;
    if (transfer.destination == transfer.source) {
      // Renames take unused names only, so only a journal this todod did not
      // write this way names its own list: refused, rather than wait for
      // this list's actor, lent already, for ever.
      empty_journal(transfer, "its last change is a move that names this list as the other one");
      return;
    }
  } else if (transfer.is_rename()) {
    if (source.empty()) {
      finish(transfer, Error::not_found("list " + quoted_for_message(transfer.source) +
                                        " holds no entries: nothing to rename"));
      return;
    }
  } else if (const EntryId id = std::get<MoveEntry>(transfer.operation).id; !source.has_entry(id)) {
    finish(transfer, Error::not_found("no entry " + std::to_string(id) + " in list " +
                                      quoted_for_message(transfer.source)));
    return;
  }
  borrow(transfer, transfer.destination, &Transfer::destination_server, &ListTransfers::both_lent);
}

void ListTransfers::both_lent(Transfer& transfer) {
  Database& database = cache_.database();
  // Each list was loaded by its own turn: a reopen of the database between
  // the two may have changed what one of them shows.
  const std::uint32_t generation = transfer.source_server->lent_generation();
  if (transfer.destination_server->lent_generation() != generation ||
      database.generation() != generation) {
    finish(transfer,
           Error::busy("the database reopened while list " + quoted_for_message(transfer.source) +
                       " was being changed; nothing was changed, try again"));
    return;
  }
  // As the source's (source_lent): its last group is on disk.
  transfer.destination_server->lent_list().journal->start_group();
  Result<std::vector<StorageMutation>> mutations = Error::internal("not computed");
  try {
    mutations = transfer.is_rename() ? rename_mutations(transfer)
                : transfer.is_undo() ? undo_move_mutations(transfer)
                                     : move_mutations(transfer);
  } catch (const std::exception& e) {
    mutations = Error::internal("could not change list " + quoted_for_message(transfer.source) +
                                ": " + e.what());
  }
  submit(transfer, std::move(mutations));
}

void ListTransfers::empty_journal(Transfer& transfer, const std::string& why) {
  Server::LoadedList& undone = transfer.source_server->lent_list();
  ListMutations mutations(transfer.source, undone);
  undone.journal->clear(mutations);
  transfer.answer =
      Error::invalid("nothing was undone in list " + quoted_for_message(transfer.source) + ": " +
                     why + "; its undo journal is emptied");
  submit(transfer, std::move(mutations).finish(undone));
}

void ListTransfers::submit(Transfer& transfer, Result<std::vector<StorageMutation>> mutations) {
  if (!mutations) {
    finish(transfer, mutations.error());
    return;
  }
  Database& database = cache_.database();
  ListWrite write;
  write.mutations = std::move(mutations).value();
  write.generation = transfer.source_server->lent_generation();
  write.undo_hints = std::move(transfer.undo_hints);
  // The destination's first: the undo of any list's newest change tries the
  // last hint of a group first, and a move undone from its source answers
  // with the entry back in the list it names.
  if (transfer.destination_server) {
    transfer.destination_server->lent_list().journal->add_group_hints(transfer.destination,
                                                                      write.undo_hints);
  }
  transfer.source_server->lent_list().journal->add_group_hints(transfer.source, write.undo_hints);
  write.on_done = [this, &transfer](Result<void> outcome) {
    written(transfer, std::move(outcome));
  };
  try {
    database.write(transfer.source, std::move(write));
  } catch (const std::exception& e) {
    // Not queued (no memory for it): no completion will come.
    finish(transfer, Error::internal("could not save the change to list " +
                                     quoted_for_message(transfer.source) + ": " + e.what()));
  }
}

Result<std::vector<StorageMutation>> ListTransfers::rename_mutations(Transfer& transfer) {
  Server::LoadedList& source = transfer.source_server->lent_list();
  Server::LoadedList& destination = transfer.destination_server->lent_list();
  if (!destination.empty()) {
    const std::size_t held = destination.size();
    return Error::invalid("list " + quoted_for_message(transfer.destination) + " already holds " +
                          std::to_string(held) + (held == 1 ? " entry" : " entries") +
                          ": a rename onto a list with entries is refused");
  }
  Database& database = cache_.database();
  // A name that handed out ids would give them again, to the renamed list's
  // entries: an undo elsewhere of a move to that name would then take one of
  // them for the entry it moved, and the name's own journal (the undo of its
  // drop) would be lost.
  if (destination.next_id() > database.id_floor()) {
    return Error::invalid("list " + quoted_for_message(transfer.destination) +
                          " held entries before (its ids went up to " +
                          std::to_string(destination.next_id() - 1) +
                          "), and a rename onto it would give those ids again: rename to a name "
                          "no list has used");
  }
  auto stored = database.load_list_keys(transfer.source);
  if (!stored) return stored.error();
  ListMutations source_mutations(transfer.source, source);
  source_mutations.erase_stored(stored.value());
  if (transfer.key) {
    source.remembered->remember(*transfer.key, change_fingerprint(transfer.operation), ListAnswer(),
                                unix_now_ms(), source_mutations);
  }
  ListMutations destination_mutations(transfer.destination, destination);
  destination_mutations.take_stored(transfer.source, stored.value());
  // The old name keeps its next id, as a drop leaves it, so that it never
  // hands out an id again.
  transfer.answer = ListAnswer();
  transfer.undo_hints.push_back({transfer.source, 0, 0, transfer.destination});
  return joined(std::move(source_mutations).finish(source.next_id(), 0),
                std::move(destination_mutations).finish(source.next_id(), source.size()));
}

Result<std::vector<StorageMutation>> ListTransfers::move_mutations(Transfer& transfer) {
  Server::LoadedList& source = transfer.source_server->lent_list();
  Server::LoadedList& destination = transfer.destination_server->lent_list();
  const EntryId id = std::get<MoveEntry>(transfer.operation).id;
  // The lists are changed as the write will leave them, with their own
  // checks (a full list, one out of ids); the loans' end forgets them.
  // Before either list changes: they write their metadata by what they held.
  ListMutations source_mutations(transfer.source, source);
  ListMutations destination_mutations(transfer.destination, destination);
  const Entry moved = *source.find_entry(id);
  auto added = destination.add_entry(moved.date, moved.title, moved.tags);
  if (!added) return added.error();
  const EntryId new_id = added.value();
  if (moved.done) {
    EntryChange done;
    done.done = true;
    if (auto updated = destination.update_entry(new_id, done); !updated) return updated.error();
  }
  if (auto deleted = source.delete_entry(id); !deleted) return deleted.error();
  source_mutations.erase_entry(id);
  source.journal->record({.change = ChangeKind::move,
                          .replaced = {moved},
                          .other_list = transfer.destination,
                          .other_id = new_id},
                         source_mutations);
  if (transfer.key) {
    source.remembered->remember(*transfer.key, change_fingerprint(transfer.operation),
                                ListAnswer(new_id), unix_now_ms(), source_mutations);
  }
  destination_mutations.put_entry(*destination.find_entry(new_id));
  destination.journal->record({.change = ChangeKind::move,
                               .added = {new_id},
                               .other_list = transfer.source,
                               .other_id = id},
                              destination_mutations);
  transfer.answer = ListAnswer(new_id);
  return joined(std::move(source_mutations).finish(source),
                std::move(destination_mutations).finish(destination));
}

Result<std::vector<StorageMutation>> ListTransfers::undo_move_mutations(Transfer& transfer) {
  Server::LoadedList& undone = transfer.source_server->lent_list();
  Server::LoadedList& other = transfer.destination_server->lent_list();
  Database& database = cache_.database();
  const auto reader = [&database](const std::string& name) {
    return [&database, &name](std::uint8_t slot) { return database.load_undo_step(name, slot); };
  };
  ListMutations undone_mutations(transfer.source, undone);
  ListMutations other_mutations(transfer.destination, other);
  // The step source_lent read, kept by the journal for this take.
  auto undone_step = undone.journal->take_newest(reader(transfer.source), undone_mutations);
  if (!undone_step) return undone_step.error();
  if (!undone_step.value()) {
    return Error::internal("the undo step of a move was gone from its journal");
  }
  const UndoStep& step = *undone_step.value();
  // Which way the entry goes back: from the list it was moved to, into the
  // one it left, with the id it had there.
  const bool is_undone_the_source = step.added.empty();
  Server::LoadedList& from = is_undone_the_source ? other : undone;
  Server::LoadedList& to = is_undone_the_source ? undone : other;
  const EntryId from_id = is_undone_the_source ? step.other_id : step.added.front();
  const EntryId to_id = is_undone_the_source ? step.replaced.front().id : step.other_id;
  const std::string& from_name = is_undone_the_source ? transfer.destination : transfer.source;
  // As for a list changed behind its journal (Server::undo): the journal is
  // emptied, so that a retry of this undo cannot revert an older change.
  if (!from.has_entry(from_id) || to.has_entry(to_id)) {
    undone.journal->clear(undone_mutations);
    transfer.answer =
        Error::invalid("nothing was undone in list " + quoted_for_message(transfer.source) +
                       ": its last change moved an entry, and list " +
                       quoted_for_message(from_name) + " no longer holds it as entry " +
                       std::to_string(from_id) + "; its undo journal is emptied");
    return std::move(undone_mutations).finish(undone);
  }
  Entry back = *from.find_entry(from_id);
  back.id = to_id;
  if (auto put = to.put_back(back); !put) return put.error();
  if (auto deleted = from.delete_entry(from_id); !deleted) return deleted.error();
  ListMutations& from_mutations = is_undone_the_source ? other_mutations : undone_mutations;
  ListMutations& to_mutations = is_undone_the_source ? undone_mutations : other_mutations;
  from_mutations.erase_entry(from_id);
  to_mutations.put_entry(back);
  // The other list's step of the same move goes too, when nothing came
  // after it there; otherwise an undo there finds the entry gone and says so.
  auto other_step = other.journal->newest(reader(transfer.destination));
  if (!other_step) return other_step.error();
  if (const UndoStep* found = other_step.value();
      found != nullptr && found->change == ChangeKind::move &&
      found->other_list == transfer.source &&
      found->other_id == (is_undone_the_source ? to_id : from_id)) {
    if (auto taken = other.journal->take_newest(reader(transfer.destination), other_mutations);
        !taken) {
      return taken.error();
    }
  }
  const Undone answer{ChangeKind::move, 1, back};
  if (transfer.key) {
    undone.remembered->remember(*transfer.key, change_fingerprint(transfer.operation),
                                ListAnswer(answer), unix_now_ms(), undone_mutations);
  }
  transfer.answer = ListAnswer(answer);
  return joined(std::move(undone_mutations).finish(undone),
                std::move(other_mutations).finish(other));
}

void ListTransfers::written(Transfer& transfer, Result<void> outcome) {
  if (!outcome) {
    finish(transfer,
           Error::internal("could not save the change to list " +
                           quoted_for_message(transfer.source) + ": " + outcome.error().message));
    return;
  }
  finish(transfer, std::move(transfer.answer));
}

void ListTransfers::finish(Transfer& transfer, ListResult result) {
  // Ended before the answer: a client that hears it and sends again finds
  // both lists taking requests.
  if (transfer.destination_server) std::exchange(transfer.destination_server, nullptr)->end_loan();
  if (transfer.source_server) std::exchange(transfer.source_server, nullptr)->end_loan();
  answer(transfer.reply, std::move(result));
  std::unique_ptr<Transfer> done;
  Transfer* next = nullptr;
  {
    MutexLock lock(mutex_);
    done = std::move(queue_.front());
    queue_.pop_front();
    if (!queue_.empty()) next = queue_.front().get();
  }
  if (next != nullptr) begin(*next);
}

void ListTransfers::answer(Server::ReplyFn& reply, ListResult result) {
  SystemCounters& counters = cache_.counters();
  counters.requests_served.fetch_add(1, std::memory_order_relaxed);
  counters.requests_in_progress.fetch_sub(1, std::memory_order_release);
  reply(std::move(result));
}

}  // namespace todo
