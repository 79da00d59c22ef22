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
// Cache, which starts a fresh actor that loads the list from disk.
//
// Thread safety: send() may be called from any thread; try_retire() under the
// Cache's lock for this actor's shard. Everything else runs only on the
// actor's own turn and must not be called from outside.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "common/list.hpp"
#include "common/list_operation.hpp"
#include "daemon/runtime/actor.hpp"
#include "daemon/runtime/mailbox.hpp"
#include "daemon/system_counters.hpp"

namespace todo {

class Database;
class ListMutations;

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

  // REQUIRES: validate_list_name(name) succeeded.
  // REQUIRES: database and counters outlive the actor.
  Server(Scheduler& scheduler, Database& database, SystemCounters& counters, std::string name);
  ~Server() override;

  const std::string& name() const { return name_; }

  // Queues a request; reply is called exactly once, on some thread, and at
  // once with busy when the list already has kMaxPendingRequests unanswered.
  // Returns false, taking neither argument, when the actor has retired: ask
  // the Cache again (Cache::send does).
  [[nodiscard]] bool send(ListOperation&& operation, ReplyFn&& reply);
  // Retires the actor when it has nothing unanswered and no request arrived
  // for more than idle_ticks ticks of counters.idle_clock; afterwards every
  // send() returns false. REQUIRES: the Cache holds this actor's shard lock,
  // and removes the actor when this returns true.
  bool try_retire(std::uint32_t idle_ticks);

 protected:
  void run_turn() override;
  bool has_new_work() const override;

 private:
  struct Message {
    Message* next = nullptr;
    ListOperation operation;
    ReplyFn reply;
  };
  // The requests of one turn, answered together once their write is durable.
  struct Group;
  // The list in memory, with the wire form of all its entries once a read has
  // asked for it: the next read of an unchanged list hands that out instead
  // of encoding every entry again (reading 100 titles scattered over the heap
  // is most of the cost of a read). Every change forgets it, and an encoding
  // over 1 MiB is not kept. It lives here, not in the actor, so an idle actor
  // with no list loaded stays as small.
  struct LoadedList : List {
    explicit LoadedList(List&& list) : List(std::move(list)) {}
    void replace(List&& list) {
      static_cast<List&>(*this) = std::move(list);
      all_entries.reset();
    }
    std::shared_ptr<const std::string> all_entries;  // null until read, and after a change
  };
  // Whether a group's write is in flight, or failed and waits for a turn.
  // Atomic: the worker sets it, and has_new_work() reads it while another
  // thread may run a turn.
  enum class WriteState : std::uint8_t { none, in_flight, done };

  void take_mailbox();
  bool ensure_list_loaded();
  void handle_group();
  // Applies operation to list, adding what persists it to mutations. Reads
  // use and fill the list's all_entries; changes, failed ones too, forget it.
  static ListResult apply(LoadedList& list, const ListOperation& operation,
                          ListMutations& mutations);
  // On the database worker's thread, when the group's write returns.
  void complete_write(Group* group, Result<void> outcome);
  void answer_failed_write();
  // Answers every request of the group with the error and drops the list from
  // memory, to be reloaded from disk on the next turn.
  void fail_group(Group& group, const std::exception& error);
  void reply(Message& message, ListResult result);
  void fail_queued(const Error& error);
  void report_load_failure(const Error& error);

  // The small fields first: they fit in the padding at the end of Actor, so
  // that an idle actor (184 bytes a list, docs/performance.md) holds a
  // Database and a SystemCounters reference at no cost.
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
  // counters_.idle_clock when the last request arrived.
  std::atomic<std::uint32_t> last_request_tick_{0};
  Database& database_;
  SystemCounters& counters_;
  const std::string name_;
  Mailbox<Message> mailbox_;
  // Taken from the mailbox, not yet handled: oldest first.
  Message* queue_head_ = nullptr;
  Message* queue_tail_ = nullptr;
  std::unique_ptr<LoadedList> list_;  // null until loaded, and after a failure
  // Set by the worker before it stores WriteState::done; read by the turn after.
  Group* failed_group_ = nullptr;
};

}  // namespace todo
