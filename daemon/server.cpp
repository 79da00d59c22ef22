#include "daemon/server.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "common/codec.hpp"
#include "common/protocol.hpp"
#include "common/validation.hpp"
#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/list_transfers.hpp"
#include "daemon/list_write.hpp"
#include "daemon/remembered_changes.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/storage/list_mutations.hpp"
#include "daemon/undo_journal.hpp"

namespace todo {
namespace {

// The mark of a retired actor in Server::pending_, above any count of requests.
constexpr std::uint32_t kRetired = std::uint32_t{1} << 31;
// The largest encoding of a list's entries kept for the next read: a list of
// 100,000 long titles would otherwise hold hundreds of megabytes twice.
constexpr std::size_t kMaxCachedEncodingBytes = std::size_t{1} << 20;

}  // namespace

// Where the small fields go (server.hpp): an idle actor's size is a core
// figure (docs/performance.md), so growing it should be a decision.
static_assert(sizeof(void*) != 8 || sizeof(Server) <= 136);

// The group of requests whose changes are on their way to disk. It belongs to
// the write until the write completes: on success the worker answers the
// group and frees it; on failure it hands it back (failed_group_, then the
// write state done) for the actor's turn to answer against the disk.
struct Server::Group {
  struct Item {
    Item(std::unique_ptr<Message> m, ListResult r) : message(std::move(m)), result(std::move(r)) {}
    std::unique_ptr<Message> message;
    ListResult result;
  };
  std::vector<Item> items;
  Result<void> outcome;
};

const std::size_t Server::kActorBytes = sizeof(Server) + 48;

Server::LoadedList::LoadedList(List&& list) : List(std::move(list)) {
  for (const Entry& entry : entries()) entry_heap_bytes += heap_bytes(entry);
}

Server::LoadedList::LoadedList(const LoadedList& other)
    : List(other),
      all_entries(other.all_entries),
      entry_heap_bytes(other.entry_heap_bytes),
      remembered(other.remembered ? std::make_unique<RememberedChanges>(*other.remembered)
                                  : nullptr),
      journal(other.journal ? std::make_unique<UndoJournal>(*other.journal) : nullptr) {}

void Server::LoadedList::replace(List&& list) {
  static_cast<List&>(*this) = std::move(list);
  all_entries.reset();
  big_entries_in_flight.reset();
  entry_heap_bytes = 0;
  for (const Entry& entry : entries()) entry_heap_bytes += heap_bytes(entry);
}

std::size_t Server::LoadedList::approximate_bytes() const {
  // The encoding's string sits in a make_shared block with its control block.
  const std::size_t encoding = all_entries ? all_entries->capacity() + 48 : 0;
  const std::size_t keys = remembered ? remembered->approximate_bytes() : 0;
  const std::size_t steps = journal ? journal->approximate_bytes() : 0;
  return sizeof(LoadedList) + entries().capacity() * sizeof(Entry) + entry_heap_bytes + encoding +
         keys + steps;
}

Server::Server(Scheduler& scheduler, Cache& cache, std::string name,
               bool retires_when_nothing_stored)
    : Actor(scheduler),
      // Idle from its start, not from the idle clock's zero: a new actor must
      // not qualify for retirement before its first request reaches it.
      last_request_tick_(cache.counters().idle_clock.load(std::memory_order_relaxed)),
      cache_(cache),
      name_(std::move(name)),
      retires_when_nothing_stored_(retires_when_nothing_stored) {
  counters().list_memory_bytes.fetch_add(static_cast<std::int64_t>(kActorBytes),
                                         std::memory_order_relaxed);
}

Server::~Server() {
  Mailbox<Message>::delete_all(queue_head_);
  delete failed_group_;
  counters().list_memory_bytes.fetch_sub(static_cast<std::int64_t>(kActorBytes + list_bytes()),
                                         std::memory_order_relaxed);
}

Database& Server::database() const { return cache_.database(); }

SystemCounters& Server::counters() const { return cache_.counters(); }

bool Server::send(ListOperation&& operation, ReplyFn&& reply) {
  return send(std::move(operation), std::nullopt, std::move(reply));
}

bool Server::send(ListOperation&& operation, std::optional<IdempotencyKey> key, ReplyFn&& reply) {
  // One read-modify-write of the word try_retire() compares and swaps: either
  // the actor retired first and this request must go to a new actor, or the
  // request counts as pending and the actor cannot retire until it is answered.
  const std::uint32_t pending = pending_.fetch_add(1, std::memory_order_acq_rel);
  if ((pending & kRetired) != 0) {
    pending_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  if (pending >= kMaxPendingRequests) {
    pending_.fetch_sub(1, std::memory_order_relaxed);
    counters().busy_refusals.fetch_add(1, std::memory_order_relaxed);
    reply(Error::busy("list " + quoted_for_message(name_) + " already has " +
                      std::to_string(kMaxPendingRequests) + " requests waiting"));
    return true;
  }
  last_request_tick_.store(counters().idle_clock.load(std::memory_order_relaxed),
                           std::memory_order_relaxed);
  counters().requests_in_progress.fetch_add(1, std::memory_order_relaxed);
  mailbox_.push(new Message{nullptr, std::move(operation), std::move(reply), key});
  wake();
  return true;
}

bool Server::lend(LoanFn&& on_lent) {
  // Counted as unanswered, as a request is, so that the actor cannot retire
  // while the loan waits or lasts; but not as a request in the counters.
  if ((pending_.fetch_add(1, std::memory_order_acq_rel) & kRetired) != 0) {
    pending_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  auto message = std::make_unique<Message>();
  message->reply = [this, on_lent = std::move(on_lent)](ListResult result) {
    if (!result) {
      on_lent(result.error());
    } else {
      on_lent(std::static_pointer_cast<Server>(shared_from_this()));
    }
  };
  message->is_loan = true;
  mailbox_.push(message.release());
  wake();
  return true;
}

void Server::end_loan() {
  list_.reset();
  // No turn may follow to account for it: an actor with no list costs none.
  counters().list_memory_bytes.fetch_sub(
      static_cast<std::int64_t>(list_bytes_.exchange(0, std::memory_order_relaxed)),
      std::memory_order_relaxed);
  write_state_.store(WriteState::none, std::memory_order_seq_cst);
  // What arrived during the loan waited for it. has_backlog_ was stored
  // before the loan began, and nothing changes it while the loan lasts.
  const bool has_waiting = has_backlog_.load(std::memory_order_seq_cst) || !mailbox_.is_empty();
  pending_.fetch_sub(1, std::memory_order_release);
  if (has_waiting) wake();
}

bool Server::try_retire(std::uint32_t idle_ticks) {
  if (this->idle_ticks() <= idle_ticks) return false;
  return try_retire();
}

bool Server::try_retire() {
  // Nothing unanswered means nothing queued and no write in flight: every
  // change this actor acknowledged is on disk for the next actor to load.
  std::uint32_t idle = 0;
  return pending_.compare_exchange_strong(idle, kRetired, std::memory_order_acq_rel);
}

std::uint32_t Server::idle_ticks() const {
  return counters().idle_clock.load(std::memory_order_relaxed) -
         last_request_tick_.load(std::memory_order_relaxed);
}

bool Server::has_new_work() const {
  switch (write_state_.load(std::memory_order_seq_cst)) {
    case WriteState::done:
      return true;
    case WriteState::in_flight:
    case WriteState::lent:
      // New messages wait for the write or the loan; its end wakes the actor.
      return false;
    case WriteState::none:
      break;
  }
  // The backlog too: the last turn may have left messages queued, and a
  // worker that finished the write while this actor was still marked
  // scheduled could not queue it.
  return has_backlog_.load(std::memory_order_seq_cst) || !mailbox_.is_empty();
}

void Server::run_turn() {
  switch (write_state_.load(std::memory_order_acquire)) {
    case WriteState::in_flight:
    case WriteState::lent:
      return;
    case WriteState::done:
      answer_failed_write();
      write_state_.store(WriteState::none, std::memory_order_seq_cst);
      break;
    case WriteState::none:
      break;
  }
  take_mailbox();
  if (queue_head_ != nullptr && !queue_head_->is_loan && ensure_list_loaded().ok()) {
    handle_group();
  }
  // A loan waits for the group before it to be durable: what it lends is
  // then what the disk holds.
  std::unique_ptr<Message> loan;
  if (queue_head_ != nullptr && queue_head_->is_loan &&
      write_state_.load(std::memory_order_relaxed) == WriteState::none) {
    loan = take_oldest();
  }
  // Stored before the scheduler clears the scheduled flag: a write that
  // completes later sees the backlog and wakes the actor; one that completed
  // already left the write state none, so has_new_work() sees the backlog.
  has_backlog_.store(queue_head_ != nullptr, std::memory_order_seq_cst);
  if (loan) {
    lend_now(std::move(loan));
    return;
  }
  leave_if_nothing_stored();
  account_list_memory();
}

std::unique_ptr<Server::Message> Server::take_oldest() {
  std::unique_ptr<Message> oldest(queue_head_);
  queue_head_ = oldest->next;
  if (queue_head_ == nullptr) queue_tail_ = nullptr;
  return oldest;
}

void Server::lend_now(std::unique_ptr<Message> loan) {
  // What is queued behind the loan fails with it when the list cannot be
  // read (ensure_list_loaded).
  Result<void> ready = ensure_list_loaded();
  if (ready) ready = ensure_journal_loaded(*list_);
  if (ready) ready = ensure_remembered_loaded(*list_);
  account_list_memory();
  if (!ready) {
    pending_.fetch_sub(1, std::memory_order_release);
    loan->reply(ready.error());
    return;
  }
  write_state_.store(WriteState::lent, std::memory_order_seq_cst);
  // From here on the borrower owns the list, on whichever thread it runs:
  // this turn touches nothing more.
  loan->reply(ListAnswer());
}

void Server::leave_if_nothing_stored() {
  if (!list_ || !list_->has_nothing_stored(database().id_floor()) || queue_head_ != nullptr ||
      write_state_.load(std::memory_order_relaxed) != WriteState::none) {
    return;
  }
  // Loading it again is one seek, what keeping it would save. Dropped even
  // when the actor stays (someone holds it, or a request just arrived): an
  // actor with no list is the small one.
  list_.reset();
  if (retires_when_nothing_stored_) cache_.retire_now(*this);
}

void Server::account_list_memory() {
  const std::size_t bytes = std::min<std::size_t>(list_ ? list_->approximate_bytes() : 0,
                                                  std::numeric_limits<std::uint32_t>::max());
  const std::size_t before = list_bytes();
  if (bytes == before) return;
  list_bytes_.store(static_cast<std::uint32_t>(bytes), std::memory_order_relaxed);
  counters().list_memory_bytes.fetch_add(
      static_cast<std::int64_t>(bytes) - static_cast<std::int64_t>(before),
      std::memory_order_relaxed);
}

void Server::take_mailbox() {
  Message* oldest = mailbox_.take_all();
  if (oldest == nullptr) return;
  if (queue_tail_ == nullptr) {
    queue_head_ = oldest;
  } else {
    queue_tail_->next = oldest;
  }
  Message* tail = oldest;
  while (tail->next != nullptr) tail = tail->next;
  queue_tail_ = tail;
}

Result<void> Server::ensure_list_loaded() {
  const std::uint32_t generation = database().generation();
  if (list_ && list_generation_ == generation) return {};
  // A list reloaded after a reopen of the database never hands out a lower id
  // than it had: with no write in flight the list in memory is what the disk
  // held, and ids there only grow. A guard against a reopened instance that
  // shows less than was acknowledged (rocksdb_instance.hpp).
  const EntryId next_id_floor = list_ ? list_->next_id() : 0;
  // Read before loading: a reopen during the load leaves the list stale, and
  // its next write is refused rather than trusted.
  list_.reset();
  list_generation_ = generation;
  auto loaded = database().load_list(name_);
  if (!loaded) {
    report_load_failure(loaded.error());
    fail_queued(loaded.error());
    return loaded.error();
  }
  if (loaded.value().next_id() < next_id_floor) {
    loaded = List::restore(name_, next_id_floor, loaded.value().entries());
  }
  list_ = std::make_unique<LoadedList>(std::move(loaded).value());
  return {};
}

void Server::report_load_failure(const Error& error) {
  // Every request for the list says why it failed; the log says it once, so a
  // corrupt list does not flood it.
  if (has_logged_load_failure_) return;
  has_logged_load_failure_ = true;
  log_event(error.message);
}

void Server::handle_group() {
  auto group = std::make_unique<Group>();
  ListWrite write;
  try {
    ListMutations mutations(name_, *list_);
    if (list_->journal) list_->journal->start_group();
    // Drops and their undos each carry a whole list: their steps bound the
    // group's batch too.
    // A loan ends the group: it waits for the group's write.
    while (queue_head_ != nullptr && !queue_head_->is_loan && group->items.size() < kMaxGroupSize &&
           !(list_->journal && list_->journal->is_group_full())) {
      if (undoes_a_move(*queue_head_)) {
        hand_off_undo(take_oldest());
        break;
      }
      auto& item = group->items.emplace_back(take_oldest(), Error::internal("not handled"));
      item.result = apply_message(*list_, *item.message, mutations);
    }
    write.mutations = std::move(mutations).finish(*list_);
    if (list_->journal) list_->journal->add_group_hints(name_, write.undo_hints);
    if (!write.mutations.empty()) {
      write.on_done = [self = std::static_pointer_cast<Server>(shared_from_this()),
                       pending = group.get()](Result<void> outcome) {
        self->complete_write(pending, std::move(outcome));
      };
      write.generation = list_generation_;
    }
  } catch (const std::exception& e) {
    fail_group(*group, e);
    return;
  }
  if (write.mutations.empty()) {
    for (auto& item : group->items) reply(*item.message, std::move(item.result));
    return;
  }
  // Before the write is submitted: it may complete at once.
  write_state_.store(WriteState::in_flight, std::memory_order_seq_cst);
  try {
    database().write(name_, std::move(write));
  } catch (const std::exception& e) {
    // Not queued (no memory for it): no completion will come.
    write_state_.store(WriteState::none, std::memory_order_seq_cst);
    fail_group(*group, e);
    return;
  }
  // The write's completion owns the group now (complete_write deletes it,
  // possibly already).
  (void)group.release();
}

void Server::fail_group(Group& group, const std::exception& error) {
  // The list may be half-changed: forget it, so the next turn reloads it from
  // disk. Only this group fails; what is still queued is handled then.
  list_.reset();
  counters().actor_restarts.fetch_add(1, std::memory_order_relaxed);
  const Error failure = Error::internal("list " + quoted_for_message(name_) +
                                        " failed and was restarted from disk: " + error.what());
  log_event(failure.message);
  for (auto& item : group.items) reply(*item.message, failure);
}

ListResult Server::apply(LoadedList& list, const ListOperation& operation,
                         ListMutations& mutations) {
  // Whether or not the change succeeds: a failed one leaves the list as it
  // was, and forgetting costs only one encoding more.
  if (is_change(operation)) {
    list.all_entries.reset();
    list.big_entries_in_flight.reset();
    if (auto loaded = ensure_journal_loaded(list); !loaded) return loaded.error();
  }
  return std::visit(
      [&](const auto& op) -> ListResult {
        using Op = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<Op, AddEntry>) {
          auto id = list.add_entry(op.date, op.title, op.tags);
          if (!id) return id.error();
          const Entry& added = *list.find_entry(id.value());
          list.entry_heap_bytes += heap_bytes(added);
          mutations.put_entry(added);
          list.journal->record({.change = ChangeKind::add, .added = {id.value()}}, mutations);
          return ListAnswer(id.value());
        } else if constexpr (std::is_same_v<Op, GetEntries>) {
          if (op.limit != 0 || op.date || op.filter) {
            EntriesEncoder page;
            list.visit_entries_after(op.after, op.limit != 0 ? op.limit : List::kMaxEntries,
                                     op.date, op.filter.get(),
                                     [&page](const Entry& entry) { page.add(entry); });
            return ListAnswer(std::move(page).finish());
          }
          if (list.all_entries) return ListAnswer(EncodedEntries{list.all_entries});
          if (auto in_flight = list.big_entries_in_flight.lock()) {
            return ListAnswer(EncodedEntries{std::move(in_flight)});
          }
          EncodedEntries encoded = encode_entries(list.entries());
          if (encoded.bytes->size() <= kMaxCachedEncodingBytes) {
            list.all_entries = encoded.bytes;
          } else {
            list.big_entries_in_flight = encoded.bytes;
          }
          return ListAnswer(std::move(encoded));
        } else if constexpr (std::is_same_v<Op, UpdateEntry>) {
          const Entry* found = list.find_entry(op.id);
          if (found == nullptr) return list.update_entry(op.id, op.change).error();
          Entry before = *found;
          auto entry = list.update_entry(op.id, op.change);
          if (!entry) return entry.error();
          const Entry& updated = *list.find_entry(op.id);
          list.entry_heap_bytes = list.entry_heap_bytes - heap_bytes(before) + heap_bytes(updated);
          mutations.put_entry(updated);
          list.journal->record({.change = ChangeKind::update, .replaced = {std::move(before)}},
                               mutations);
          return ListAnswer(std::move(entry).value());
        } else if constexpr (std::is_same_v<Op, DeleteEntry>) {
          const Entry* doomed = list.find_entry(op.id);
          if (doomed == nullptr) return list.delete_entry(op.id).error();
          Entry removed = *doomed;
          if (auto deleted = list.delete_entry(op.id); !deleted) return deleted.error();
          list.entry_heap_bytes -= heap_bytes(removed);
          mutations.erase_entry(op.id);
          list.journal->record({.change = ChangeKind::erase, .replaced = {std::move(removed)}},
                               mutations);
          return ListAnswer();
        } else if constexpr (std::is_same_v<Op, DropList>) {
          // A list that holds nothing writes nothing: with no other change in
          // the group, the drop is answered at once, as a read is, since
          // what it answers (no entries) is already on disk.
          if (list.size() == 0) return ListAnswer(NothingToDrop{});
          mutations.erase_all_entries(list);
          // The list keeps its next id, so an id never names two entries.
          std::vector<Entry> dropped = list.take_all_entries();
          list.replace(List::restore(list.name(), list.next_id(), {}).value());
          list.journal->record({.change = ChangeKind::drop, .replaced = std::move(dropped)},
                               mutations);
          return ListAnswer();
        } else if constexpr (std::is_same_v<Op, UndoChange>) {
          return undo(list, op, mutations);
        } else {
          static_assert(std::is_same_v<Op, RenameList> || std::is_same_v<Op, MoveEntry>);
          return Error::internal("a rename or a move of list " + quoted_for_message(name_) +
                                 " reached its actor, not ListTransfers");
        }
      },
      operation);
}

ListResult Server::undo(LoadedList& list, const UndoChange& asked, ListMutations& mutations) {
  if (asked.is_conditional() &&
      !list.journal->is_newest_within(asked.first_step, asked.last_step)) {
    return not_the_newest_step(name_);
  }
  auto taken = list.journal->take_newest(
      [this](std::uint8_t slot) { return database().load_undo_step(name_, slot); }, mutations);
  if (!taken) return taken.error();
  if (!taken.value()) {
    return Error::not_found("nothing to undo in list " + quoted_for_message(name_) +
                            ": it keeps its last " + std::to_string(UndoJournal::kMaxSteps) +
                            " changes");
  }
  UndoStep& step = *taken.value();
  if (step.change == ChangeKind::move) {
    // handle_group hands these to ListTransfers; one met here is a failed
    // group's undo answered again (answer_failed_write).
    return Error::internal("the undo of a move in list " + quoted_for_message(name_) +
                           " reached its actor, not ListTransfers");
  }
  // The list must be what the change left, or the step would revert
  // something else: an entry the change added must be there, and one it
  // removed must not.
  const auto mismatch = [&](EntryId id, const char* what) -> ListResult {
    list.journal->clear(mutations);
    return Error::invalid("list " + quoted_for_message(name_) + " changed in a way its undo " +
                          "journal did not record (entry " + std::to_string(id) + " is " + what +
                          "), so nothing was undone and its journal is emptied");
  };
  for (EntryId id : step.added) {
    if (!list.has_entry(id)) return mismatch(id, "gone");
  }
  std::size_t returning = 0;
  for (const Entry& entry : step.replaced) {
    if (list.has_entry(entry.id) != (step.change == ChangeKind::update)) {
      return mismatch(entry.id, step.change == ChangeKind::update ? "gone" : "there");
    }
    if (entry.id >= list.next_id()) return mismatch(entry.id, "past the ids the list handed out");
    if (!list.has_entry(entry.id)) ++returning;
  }
  // Checked before anything changes, so that put_back cannot fail half way.
  if (list.size() - step.added.size() + returning > List::kMaxEntries) {
    return Error::invalid("list " + quoted_for_message(name_) + " is full: undoing its last " +
                          std::string(change_name(step.change)) + " would put back " +
                          std::to_string(returning) + " entries past the " +
                          std::to_string(List::kMaxEntries) + " a list may hold");
  }
  Undone undone{step.change, step.added.size() + step.replaced.size(), {}};
  for (EntryId id : step.added) {
    undone.entry = *list.find_entry(id);
    list.entry_heap_bytes -= heap_bytes(undone.entry);
    (void)list.delete_entry(id);
    mutations.erase_entry(id);
  }
  if (step.change == ChangeKind::update || step.change == ChangeKind::erase) {
    undone.entry = step.replaced.front();
  }
  for (Entry& entry : step.replaced) {
    if (const Entry* now = list.find_entry(entry.id)) list.entry_heap_bytes -= heap_bytes(*now);
    list.entry_heap_bytes += heap_bytes(entry);
    mutations.put_entry(entry);
    // The step decoded, so the entry is valid, and it fits: a drop is
    // reverted into the empty list it left. A failure is a bug, and leaves
    // the list half reverted: fail the group, and reload it.
    if (auto put = list.put_back(std::move(entry)); !put) {
      throw std::runtime_error("undo: " + put.error().message);
    }
  }
  return ListAnswer(std::move(undone));
}

bool Server::undoes_a_move(const Message& message) {
  const auto* asked = std::get_if<UndoChange>(&message.operation);
  if (asked == nullptr) return false;
  // A journal that cannot be read is reported by the undo itself, and so is
  // an undo asked of steps the list's newest is not.
  if (!ensure_journal_loaded(*list_)) return false;
  if (asked->is_conditional() &&
      !list_->journal->is_newest_within(asked->first_step, asked->last_step)) {
    return false;
  }
  // The step read is kept for the undo's take_newest (undo_journal.hpp).
  auto newest = list_->journal->newest(
      [this](std::uint8_t slot) { return database().load_undo_step(name_, slot); });
  return newest && newest.value() != nullptr && newest.value()->change == ChangeKind::move;
}

void Server::hand_off_undo(std::unique_ptr<Message> message) {
  // The transfer counts itself as a request, and may lend this actor at
  // once: started before this one stops counting, so that the actor never
  // looks idle enough to retire in between.
  cache_.transfers().start(name_, std::move(message->operation), message->key,
                           std::move(message->reply));
  counters().requests_in_progress.fetch_sub(1, std::memory_order_release);
  pending_.fetch_sub(1, std::memory_order_release);
}

Result<void> Server::ensure_journal_loaded(LoadedList& list) {
  if (list.journal) return {};
  auto loaded = database().load_undo_sequences(name_);
  if (!loaded) return loaded.error();
  list.journal = std::make_unique<UndoJournal>(loaded.value());
  return {};
}

Result<void> Server::ensure_remembered_loaded(LoadedList& list) {
  if (list.remembered) return {};
  auto loaded = database().load_remembered_changes(name_);
  if (!loaded) return loaded.error();
  list.remembered = std::make_unique<RememberedChanges>(std::move(loaded).value());
  return {};
}

ListResult Server::apply_message(LoadedList& list, const Message& message,
                                 ListMutations& mutations) {
  if (!message.key) return apply(list, message.operation, mutations);
  if (!is_change(message.operation)) {
    return Error::invalid(
        "an idempotency key goes only with a change (add, update, delete, "
        "drop), not with a read of list " +
        quoted_for_message(name_));
  }
  if (auto loaded = ensure_remembered_loaded(list); !loaded) return loaded.error();
  const std::int64_t now_ms = unix_now_ms();
  const std::uint64_t fingerprint = change_fingerprint(message.operation);
  if (auto again = list.remembered->answer_again(*message.key, fingerprint, now_ms, name_)) {
    return std::move(again).value();
  }
  ListResult result = apply(list, message.operation, mutations);
  // A change that failed wrote nothing: sent again, it is tried again.
  if (result.ok()) {
    list.remembered->remember(*message.key, fingerprint, result.value(), now_ms, mutations);
  }
  return result;
}

void Server::complete_write(Group* group, Result<void> outcome) {
  if (outcome.ok()) {
    // The answers were computed when the group was applied and are now true
    // on disk: give them from here rather than pay a turn (a thread wake-up)
    // for it.
    for (auto& item : group->items) reply(*item.message, std::move(item.result));
    delete group;
    write_state_.store(WriteState::none, std::memory_order_seq_cst);
    // Messages that arrived meanwhile, or that the last turn left queued,
    // waited for this write.
    if (has_backlog_.load(std::memory_order_seq_cst) || !mailbox_.is_empty()) wake();
    return;
  }
  group->outcome = std::move(outcome);
  failed_group_ = group;
  write_state_.store(WriteState::done, std::memory_order_seq_cst);
  wake();
}

void Server::answer_failed_write() {
  const std::unique_ptr<Group> group(std::exchange(failed_group_, nullptr));
  // What is in memory includes the failed changes: go back to what is on disk.
  list_.reset();
  list_generation_ = database().generation();
  auto reloaded = database().load_list(name_);
  if (reloaded) list_ = std::make_unique<LoadedList>(std::move(reloaded).value());
  const std::string failure = "could not save the change to list " + quoted_for_message(name_) +
                              ": " + group->outcome.error().message;
  // Every answer is given again against what is on disk: none of the group's
  // changes are there, so a change that would succeed there still failed, and
  // a change or read that fails there says why.
  for (auto& item : group->items) {
    Message& message = *item.message;
    if (!reloaded) {
      reply(message, reloaded.error());
      continue;
    }
    const bool is_changing = is_change(message.operation);
    ListResult on_disk = Error::internal(failure);
    try {
      // A change is tried on a copy, and what it would write is dropped: none
      // of the group's changes may stick.
      std::optional<LoadedList> scratch;
      if (is_changing) scratch.emplace(*list_);
      LoadedList& tried_on = is_changing ? *scratch : *list_;
      ListMutations discarded(name_, tried_on);
      on_disk = apply_message(tried_on, message, discarded);
    } catch (const std::exception& e) {
      on_disk = Error::internal(failure + "; then " + e.what());
    }
    if (on_disk.ok() && is_changing) {
      reply(message, Error::internal(failure));
    } else {
      reply(message, std::move(on_disk));
    }
  }
}

void Server::reply(Message& message, ListResult result) {
  // Counted before it goes out: a client that has its answer and then asks
  // for the daemon's figures finds it among them, and its next request is
  // not refused busy for the one just answered. (Shutdown, which waits for
  // none in progress, then joins the thread that is giving this answer.)
  counters().requests_served.fetch_add(1, std::memory_order_relaxed);
  counters().requests_in_progress.fetch_sub(1, std::memory_order_release);
  // An answer that cannot be delivered (no memory for it) is lost to that one
  // caller; the counters and the rest of the group must not be.
  try {
    message.reply(std::move(result));
  } catch (const std::exception& e) {
    log_event("an answer for list " + quoted_for_message(name_) +
              " could not be delivered: " + e.what());
  }
  pending_.fetch_sub(1, std::memory_order_release);
}

void Server::fail_queued(const Error& error) {
  while (queue_head_ != nullptr) {
    std::unique_ptr<Message> message = take_oldest();
    if (message->is_loan) {
      pending_.fetch_sub(1, std::memory_order_release);
      message->reply(error);
    } else {
      reply(*message, error);
    }
  }
}

}  // namespace todo
