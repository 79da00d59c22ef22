// Finds the actor (Server) of a list by name, starting it on first use: the
// same name always gives the same actor, and when many threads ask at once for
// a new name, exactly one actor is started. Starting an actor is cheap: the
// list is loaded from disk by the actor itself, on its first message.
//
// The map is split into shards, each with its own mutex, chosen by the name's
// hash: lookups of different names rarely meet on a lock, so the Cache is not
// one serialised bottleneck. The name is hashed once; the shard takes the high
// bits, the shard's ServerTable the low ones. A name is stored once, in its
// Server.
//
// Actors idle for long enough retire and leave the Cache (retire_idle, run by
// the IdleReaper), earlier when the memory limit is reached (evict_idle, the
// same retirement with a shorter idleness), and an actor started by send()
// leaves at the end of the turn that finds its list with nothing stored
// (retire_now). A request that meets a retiring actor comes back here and
// starts a fresh one, so none is lost. Code that may race with retirement
// sends through send(); server_process() alone is for callers that know no
// IdleReaper runs (tests, benchmarks): its actors do not retire for having
// nothing stored, since their holder may send to them again.
//
// Every actor reaches the Database and the counters through its Cache, so the
// Cache must outlive every actor it started: hold none past it.
//
// Thread safety: every public member may be called from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "daemon/runtime/mutex.hpp"
#include "daemon/server.hpp"
#include "daemon/server_table.hpp"

namespace todo {

class Scheduler;
class Database;
class ListTransfers;
struct SystemCounters;

class Cache {
 public:
  Cache(Scheduler& scheduler, Database& database, SystemCounters& counters);
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  ~Cache();

  // REQUIRES: validate_list_name(name) succeeded.
  std::shared_ptr<Server> server_process(std::string_view name);
  // Hands a request to the list's actor, starting one if needed; reply is
  // called exactly once (see Server::send).
  // REQUIRES: validate_list_name(name) succeeded.
  void send(std::string_view name, ListOperation&& operation, Server::ReplyFn&& reply);
  // The same for a change that may carry an idempotency key.
  void send(std::string_view name, ListOperation&& operation, std::optional<IdempotencyKey> key,
            Server::ReplyFn&& reply);
  // Lends the list's actor, starting one if needed (Server::lend).
  // REQUIRES: validate_list_name(name) succeeded.
  void lend(std::string_view name, Server::LoanFn&& on_lent);
  // Retires and removes every actor idle for more than idle_ticks ticks of
  // the idle clock (Server::try_retire), counting each in
  // SystemCounters::lists_expired.
  void retire_idle(std::uint32_t idle_ticks);
  // The same for the memory limit, counting each in lists_evicted too.
  void evict_idle(std::uint32_t idle_ticks);
  // Calls visit(idle ticks, Server::kActorBytes + list bytes) for every actor
  // with nothing unanswered, in chunks per hold of a shard's lock as
  // retire_idle does: for the IdleReaper to choose what evict_idle retires.
  // visit must not call the Cache.
  void survey_idle(const std::function<void(std::uint32_t, std::size_t)>& visit) const;
  // Retires and removes server now if it has nothing unanswered
  // (Server::try_retire()): for the turn that found its list with nothing
  // stored. Not counted as expired: it was not idle.
  // REQUIRES: called on server's turn, by an actor send() started.
  void retire_now(Server& server);
  // Whether the list's actor is in memory; starts none.
  bool has_server(std::string_view name) const;
  // Actors currently in memory.
  std::size_t size() const;

  // What every actor uses: they reach them through their Cache.
  Database& database() const { return database_; }
  SystemCounters& counters() const { return counters_; }
  // Changes to two lists at once, which borrow this Cache's actors.
  ListTransfers& transfers() const { return *transfers_; }

 private:
  // Enough shards that the few threads that look actors up (todod's I/O thread
  // and pool threads) seldom want the same one; few enough that at a million
  // lists each shard's index fills whole 2 MB huge pages.
  static constexpr std::size_t kShardCount = 8;  // the top 3 bits of the hash
  // Actors retire_idle() looks at per hold of a shard's lock: a sweep of a
  // million lists must not stall lookups for its whole length.
  static constexpr std::size_t kRetireChunk = 4096;

  struct alignas(64) Shard {
    mutable Mutex mutex;
    ServerTable servers GUARDED_BY(mutex);
  };

  Shard& shard_for(std::uint64_t hash) { return shards_[hash >> 61]; }
  const Shard& shard_for(std::uint64_t hash) const { return shards_[hash >> 61]; }
  // The list's actor, started (retiring when nothing is stored, or not) when
  // there is none.
  std::shared_ptr<Server> find_or_start(std::string_view name, bool retires_when_nothing_stored);
  void retire_idle(std::uint32_t idle_ticks, bool is_eviction);
  // Retires what is idle among the kRetireChunk actors below position (or
  // below the shard's size, when that is lower), going down, in one hold of
  // the shard's lock; returns where it stopped.
  // REQUIRES: retired has room for kRetireChunk more without reallocating.
  std::size_t retire_idle_below(Shard& shard, std::size_t position, std::uint32_t idle_ticks,
                                bool is_eviction, std::vector<std::shared_ptr<Server>>& retired);

  Scheduler& scheduler_;
  Database& database_;
  SystemCounters& counters_;
  std::array<Shard, kShardCount> shards_;
  // Last, so first to go: a transfer still held keeps its actors alive.
  std::unique_ptr<ListTransfers> transfers_;
};

}  // namespace todo
