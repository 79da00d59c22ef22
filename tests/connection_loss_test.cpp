// Fault: the connection to todod dies, or todod stops answering, with a batch
// of changes in flight. `todo batch --retry` sends what was left unanswered
// again with the same idempotency keys, so that at the end every line has its
// real answer and no change was applied twice (cli/main.cpp,
// daemon/remembered_changes.hpp).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::acknowledged_adds;
using testing::ChildProcess;
using testing::DaemonPlace;
using testing::kTodoPath;
using testing::run_todo_ok;
using testing::RunningDaemon;

constexpr int kAdds = 5000;

std::string adds_batch() {
  std::string input;
  for (int i = 0; i < kAdds; ++i) input += "add bob 2026-12-02 add " + std::to_string(i) + "\n";
  return input;
}

// Every output line an id, each once.
void check_every_add_answered_once(const std::string& out) {
  std::set<std::string> ids;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) ids.insert(line);
  CHECK(acknowledged_adds(out) == kAdds);
  CHECK(ids.size() == kAdds);
}

std::size_t entries_stored(const std::string& endpoint) {
  return testing::count_of(run_todo_ok(endpoint, {"entries", "bob"}), "\n");
}

// A `todo --timeout 300 batch --retry` of the adds, under way: its first
// answer is in, so todod is working through the batch, with up to a window
// of adds sent ahead.
class RetryingBatch {
 public:
  explicit RetryingBatch(const std::string& endpoint)
      : endpoint_(endpoint),
        batch_(kTodoPath, {"--endpoint", endpoint, "--timeout", "300", "batch", "--retry"}) {
    batch_.send_input(adds_batch());
    seen_ = batch_.read_stdout_until("\n", std::chrono::seconds(20));
    REQUIRE_FALSE(seen_.empty());
  }

  // Its end, after the fault: retried, every line answered once, every add
  // stored once.
  void check_finished() {
    const testing::Output output = batch_.collect(std::chrono::seconds(60));
    INFO("todo stderr: " << output.err);
    CHECK(output.exit_code == 0);
    CHECK_THAT(output.err, Catch::Contains("with the same keys"));
    check_every_add_answered_once(seen_ + output.out);
    CHECK(entries_stored(endpoint_) == kAdds);
  }

 private:
  std::string endpoint_;
  ChildProcess batch_;
  std::string seen_;
};

}  // namespace

TEST_CASE("todod stopped mid-batch: batch --retry answers every line, and adds nothing twice",
          "[connection-loss]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  RetryingBatch batch(place.endpoint());
  // Stopped for longer than the timeout, todod lets the client give up on
  // the adds in flight; continued, it applies those it had read, whose
  // answers go nowhere, and then the same adds sent again.
  daemon.process().signal(SIGSTOP);
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  daemon.process().signal(SIGCONT);
  batch.check_finished();
}

TEST_CASE(
    "todod killed and restarted mid-batch: batch --retry answers every line, and adds "
    "nothing twice",
    "[connection-loss]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  RetryingBatch batch(place.endpoint());
  // Adds todod wrote but did not answer are on disk with their keys: sent
  // again to the new todod, they are answered from there.
  daemon.kill_hard();
  daemon.start();
  batch.check_finished();
}

}  // namespace todo
