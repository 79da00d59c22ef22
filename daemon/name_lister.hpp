// One page of list names (`lists`), read on a pool thread rather than on the
// I/O thread that reads every client's requests: a page reads RocksDB's
// metadata keys, up to ListNames::kMaxLimit names and past every emptied or
// dropped list between them. Each page is a one-shot actor, queued on the
// Scheduler like a list's actor and counted in requests_in_progress like a
// list's request, so the admission limit bounds pages in flight too and
// shutdown waits for them.
//
// Thread safety: start() may be called from any thread; the page is read on a
// pool thread, and reply is called there, exactly once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/protocol.hpp"
#include "common/result.hpp"
#include "daemon/runtime/actor.hpp"

namespace todo {

class Database;
class Scheduler;
struct SystemCounters;

class NameLister final : public Actor {
 public:
  using ReplyFn = std::function<void(Result<std::vector<std::string>>)>;

  // REQUIRES: the caller admitted the request; database and counters outlive
  // the scheduler's threads.
  static void start(Scheduler& scheduler, const Database& database, SystemCounters& counters,
                    ListNames page, ReplyFn reply);

  NameLister(Scheduler& scheduler, const Database& database, SystemCounters& counters,
             ListNames page, ReplyFn reply);

 private:
  void run_turn() override;
  bool has_new_work() const override { return false; }

  const Database& database_;
  SystemCounters& counters_;
  const ListNames page_;
  ReplyFn reply_;
};

}  // namespace todo
