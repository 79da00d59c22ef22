// The actor that owns one to-do list. Messages are handled one at a time, in
// arrival order, on whichever pool thread picks the actor up; different lists
// run in parallel.
//
// The list is loaded from the Database on the first message, not at start, so
// an idle actor is a name and a few pointers. A turn handles what is queued as
// one group: it applies the group's requests to the list in order, sends all
// their changes to the Database as one ListWrite, and answers nobody until that
// write is durable; the worker that wrote it then sends the answers. While a write is in flight,
// new messages wait in the mailbox, so they will form the next group: one fsync per group, not per
// change, even when a single list takes many requests at once.
//
// When the write fails, the list is reloaded from disk and every request of
// the group is answered again against it, its changes with the error: nobody
// ever sees a change that is not durable. An exception
// in a turn (a bug, bytes that do not decode) fails that turn's requests and
// drops the in-memory list; the next message reloads it from disk.
//
// The mailbox is bounded: past kMaxPendingRequests unanswered requests, send()
// answers busy at once. An idle actor can retire (idle expiry): one atomic word
// counts its unanswered requests and carries the retired mark, so a request
// and the retirement cannot both win; a request that loses goes back to the
// Cache, which starts a fresh actor that loads the list from disk. An actor
// whose list has nothing stored (no entry was ever added) retires at the end
// of the turn that found it so, when the Cache allows it (Cache::send's
// actors): it costs no more to load again, one seek, than to keep, and reads
// of names nobody wrote must not fill memory for the idle timeout.
//
// Every change writes, in its batch, what reverts it (UndoJournal), and an
// UndoChange reverts the newest one.
//
// A change to two lists (a rename, a move: ListTransfers) borrows both
// actors: a loan waits in the mailbox like a request, and when it is the
// oldest and no write is in flight, the actor loads its list, journal and
// remembered changes and lends them at the end of its turn. Until the
// borrower ends the loan the actor takes no turn, so the borrower, on any
// thread, is the only one to touch the list; ending the loan forgets the
// list in memory, and the next turn reads what the transfer left on disk.
//
// A change may come with an idempotency key: the list then answers a key it
// remembers (RememberedChanges) with the first answer, applying nothing, and
// refuses a key it remembers for another change. The key and the answer are
// written with the change, in the same batch.
//
// Each actor keeps an estimate of the memory its loaded list holds
// (list_bytes()), and adds it, with the actor's own kActorBytes, to
// SystemCounters::list_memory_bytes, which the IdleReaper holds under
// --max-memory. An estimate, kept up on the turn from what the turn changed,
// not a measure: reading the allocator's figures per turn would cost more than
// the turn, and the process's resident size also counts what retiring actors
// cannot give back (see IdleReaper).
//
// Thread safety: send(), idle_ticks(), list_bytes() and has_unanswered() may
// be called from any thread; try_retire() under the Cache's lock for this
// actor's shard; lend() from any thread, and the loan's members (for
// ListTransfers, a friend) by the borrower while the loan lasts. Everything
// else runs only on the actor's own turn and must not be called from outside.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/idempotency_key.hpp"
#include "common/list.hpp"
#include "common/list_operation.hpp"
#include "daemon/runtime/actor.hpp"
#include "daemon/runtime/mailbox.hpp"
#include "daemon/system_counters.hpp"

namespace todo {

class Cache;
class Database;
class ListMutations;
class ListTransfers;
class RememberedChanges;
class UndoJournal;

class Server final : public Actor {
 public:
  // Called once per request, on a pool thread or (for a change, once it is
  // durable) on the database worker's thread. It must not block.
  using ReplyFn = std::function<void(ListResult)>;

  // The most requests one turn takes into its group: bounds a turn's length,
  // so other actors on the same thread get their turns.
  static constexpr std::size_t kMaxGroupSize = 1024;

  // Unanswered requests one list may hold (queued, in its group or being
  // written). A client pipelines at most a few thousand; more means the list
  // is overloaded, and memory must not grow without bound.
  static constexpr std::uint32_t kMaxPendingRequests = 10'000;

  // What an actor with no list loaded costs, as list_memory_bytes counts it:
  // the object, its shared_ptr control block and malloc's header (24 bytes),
  // its shared_ptr in the Cache's vector (16) and its share of the index (8).
  // 184 bytes on x86-64, the figure docs/performance.md measures.
  static const std::size_t kActorBytes;

  // REQUIRES: validate_list_name(name) succeeded; cache outlives the actor.
  // With retires_when_nothing_stored, the actor retires at the end of a turn
  // that found its list with nothing stored (see above).
  Server(Scheduler& scheduler, Cache& cache, std::string name, bool retires_when_nothing_stored);
  ~Server() override;

  const std::string& name() const { return name_; }

  // Queues a request; reply is called exactly once, on some thread, and at
  // once with busy when the list already has kMaxPendingRequests unanswered.
  // Returns false, taking neither argument, when the actor has retired: ask
  // the Cache again (Cache::send does).
  [[nodiscard]] bool send(ListOperation&& operation, ReplyFn&& reply);
  // The same for a change that may carry an idempotency key (a read with one
  // is answered invalid_argument).
  [[nodiscard]] bool send(ListOperation&& operation, std::optional<IdempotencyKey> key,
                          ReplyFn&& reply);
  // Retires the actor when it has nothing unanswered and no request arrived
  // for more than idle_ticks ticks of counters.idle_clock; afterwards every
  // send() returns false. REQUIRES: the Cache holds this actor's shard lock,
  // and removes the actor when this returns true.
  bool try_retire(std::uint32_t idle_ticks);
  // The same, however recent the last request: for an actor with nothing
  // stored, and for the memory limit's choice of whom to retire.
  // REQUIRES: as try_retire(idle_ticks).
  bool try_retire();
  // Ticks of counters.idle_clock since the last request arrived.
  std::uint32_t idle_ticks() const;
  // Requests queued, in a group, or being written: an actor with any is not
  // retired.
  bool has_unanswered() const { return pending_.load(std::memory_order_relaxed) != 0; }
  // The estimate of the loaded list's memory, as of the end of the last
  // turn; 0 with no list loaded. The actor's own kActorBytes come on top.
  std::size_t list_bytes() const { return list_bytes_.load(std::memory_order_relaxed); }

  // Called once, at the end of the turn that lends the list, with the actor
  // (or the error that kept the list from loading, and then there is no
  // loan). It must not block; it may end the loan at once.
  using LoanFn = std::function<void(Result<std::shared_ptr<Server>>)>;
  // Queues a loan of the list behind what is queued (see above). Returns
  // false, taking nothing, when the actor has retired: ask the Cache again
  // (Cache::lend does).
  [[nodiscard]] bool lend(LoanFn&& on_lent);

 protected:
  void run_turn() override;
  bool has_new_work() const override;

 private:
  friend class ListTransfers;

  struct Message {
    Message* next = nullptr;
    ListOperation operation;
    ReplyFn reply;  // for a loan, its LoanFn's call
    std::optional<IdempotencyKey> key;
    bool is_loan = false;
  };
  // The requests of one turn, answered together once their write is durable.
  struct Group;
  // The list in memory, with the wire form of all its entries once a read has
  // asked for it: the next read of an unchanged list hands that out instead
  // of encoding every entry again (reading 100 titles scattered over the heap
  // is most of the cost of a read). Every change forgets it, and an encoding
  // over 1 MiB is kept only while replies that send it are waiting to be
  // read (big_entries_in_flight). It lives here, not in the actor, so an idle actor
  // with no list loaded stays as small.
  //
  // It also keeps the heap bytes of its titles and tags up to date, so that its memory
  // estimate (approximate_bytes()) costs nothing to read at the end of a turn.
  struct LoadedList : List {
    explicit LoadedList(List&& list);
    // A copy to try changes on (answer_failed_write).
    LoadedList(const LoadedList& other);
    void replace(List&& list);
    // The list, its entries (by the vector's capacity), the titles too long to
    // sit inside their string, the kept encoding and the remembered changes.
    // Not malloc's rounding.
    std::size_t approximate_bytes() const;
    // Nothing stored under the name: what loading a name never written gives,
    // its next id the database's id floor (id_floor.hpp).
    bool has_nothing_stored(EntryId id_floor) const { return empty() && next_id() <= id_floor; }
    std::shared_ptr<const std::string> all_entries;  // null until read, and after a change
    // An encoding too big to keep, while replies still hold it: the reads
    // that come meanwhile send it again rather than each encode a copy of
    // their own, and the list itself never keeps it alive.
    std::weak_ptr<const std::string> big_entries_in_flight;
    std::size_t entry_heap_bytes = 0;  // apply() keeps it with each change
    // Read from disk with the first keyed change; null until then. Keys
    // never count as something stored (remembered_changes.hpp).
    std::unique_ptr<RememberedChanges> remembered;
    // Read from disk with the first change or undo; null until then.
    std::unique_ptr<UndoJournal> journal;
  };
  // Whether a group's write is in flight, or failed and waits for a turn, or
  // the list is lent. Atomic: the worker or the borrower sets it, and
  // has_new_work() reads it while another thread may run a turn.
  enum class WriteState : std::uint8_t { none, in_flight, done, lent };

  // The loan's side of the list, for the borrower. REQUIRES: the list is lent.
  LoadedList& lent_list() { return *list_; }
  std::uint32_t lent_generation() const { return list_generation_; }
  // Ends the loan: the list in memory is forgotten, to be read from disk by
  // the next turn, and the actor takes turns again. REQUIRES: the list is
  // lent; called once per loan, from any thread.
  void end_loan();

  void take_mailbox();
  // The oldest queued message, taken out of the queue.
  std::unique_ptr<Message> take_oldest();
  // Loads what a borrower uses and lends it; the last thing a turn does.
  void lend_now(std::unique_ptr<Message> loan);
  // Loads the list unless it is loaded; on failure, fails what is queued.
  Result<void> ensure_list_loaded();
  void handle_group();
  // Applies operation to list, adding what persists it to mutations. Reads
  // use and fill the list's all_entries; changes, failed ones too, forget it.
  ListResult apply(LoadedList& list, const ListOperation& operation, ListMutations& mutations);
  // Reverts the list's newest undo step, when it is one asked for.
  ListResult undo(LoadedList& list, const UndoChange& asked, ListMutations& mutations);
  // Whether the message is an undo whose step is a move, which changes
  // another list too: ListTransfers reverts it (hand_off_undo), not a turn.
  bool undoes_a_move(const Message& message);
  void hand_off_undo(std::unique_ptr<Message> message);
  // apply(), but for a message with a key: the first answer again when the
  // list remembers the key, else the change applied and remembered.
  ListResult apply_message(LoadedList& list, const Message& message, ListMutations& mutations);
  // Reads the list's remembered changes from disk, unless they are loaded.
  Result<void> ensure_remembered_loaded(LoadedList& list);
  // Reads the list's undo journal from disk, unless it is loaded.
  Result<void> ensure_journal_loaded(LoadedList& list);
  // On the database worker's thread, when the group's write returns.
  void complete_write(Group* group, Result<void> outcome);
  void answer_failed_write();
  // Answers every request of the group with the error and drops the list from
  // memory, to be reloaded from disk on the next turn.
  void fail_group(Group& group, const std::exception& error);
  void reply(Message& message, ListResult result);
  void fail_queued(const Error& error);
  void report_load_failure(const Error& error);
  // Brings list_bytes_ and counters.list_memory_bytes to the list as the turn
  // left it.
  void account_list_memory();
  // At the end of a turn: drops a list with nothing stored, and asks the Cache
  // to retire this actor when it allows that.
  void leave_if_nothing_stored();
  Database& database() const;
  SystemCounters& counters() const;

  // The small fields first: they fit in the padding at the end of Actor, so
  // that an idle actor (184 bytes a list, docs/performance.md) holds them at
  // no cost.
  std::atomic<WriteState> write_state_{WriteState::none};
  // Whether the last turn left messages in the local queue (for the worker
  // and has_new_work(), which may not read the queue itself).
  std::atomic<bool> has_backlog_{false};
  // Whether the log already named this list as unreadable: once, not per request.
  bool has_logged_load_failure_ = false;
  // Database::generation() when list_ was loaded: a reopen of the database
  // may have changed what is on disk under it (rocksdb_instance.hpp).
  std::uint32_t list_generation_ = 0;
  // Unanswered requests, plus kRetired once the actor has retired.
  std::atomic<std::uint32_t> pending_{0};
  // counters.idle_clock when the last request arrived.
  std::atomic<std::uint32_t> last_request_tick_{0};
  // The Cache, not the Database and the SystemCounters it holds: one
  // reference where two would not leave room for list_bytes_ in 136 bytes.
  Cache& cache_;
  const std::string name_;
  Mailbox<Message> mailbox_;
  // Taken from the mailbox, not yet handled: oldest first.
  Message* queue_head_ = nullptr;
  Message* queue_tail_ = nullptr;
  std::unique_ptr<LoadedList> list_;  // null until loaded, and after a failure
  // Set by the worker before it stores WriteState::done; read by the turn after.
  Group* failed_group_ = nullptr;
  // list_->approximate_bytes() as of the end of the last turn; written only
  // on the turn (and by end_loan, when no turn runs), read by the IdleReaper
  // to choose whom to retire.
  std::atomic<std::uint32_t> list_bytes_{0};
  const bool retires_when_nothing_stored_;
};

}  // namespace todo
