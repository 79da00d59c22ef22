// Runs actors M:N on a fixed pool of threads, as the BEAM runs processes: a
// run queue of actors that have work, and threads that take one, give it a
// turn, and take the next. An actor with more work after its turn goes to the
// back of the queue, so one busy actor cannot starve the others.
//
// Thread safety: schedule() may be called from any thread. stop() from a
// thread that is not a pool thread; it runs what is queued, then joins, and
// does nothing the second time (the destructor calls it).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "daemon/runtime/mutex.hpp"

namespace todo {

class Actor;

class Scheduler {
 public:
  explicit Scheduler(std::size_t thread_count);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler();

  std::size_t thread_count() const { return thread_count_; }

  // REQUIRES: the actor's scheduled flag was set by the caller (Actor::wake).
  void schedule(std::shared_ptr<Actor> actor) EXCLUDES(mutex_);
  // Lets the queue run empty, then joins the threads. Actors woken after the
  // queue ran empty are not run.
  void stop() EXCLUDES(mutex_);

 private:
  void run_thread();
  // The next actor to run; null once stopping with the queue empty.
  std::shared_ptr<Actor> next_actor() EXCLUDES(mutex_);
  static void give_turn(const std::shared_ptr<Actor>& actor);

  const std::size_t thread_count_;
  Mutex mutex_;
  // A plain condition variable and flag, not a stop token: schedule() runs
  // for every wake-up, and condition_variable_any would add a lock of its own
  // to each notify and a stop callback to each wait.
  CondVar has_work_;
  std::deque<std::shared_ptr<Actor>> run_queue_ GUARDED_BY(mutex_);
  bool is_stopping_ GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace todo
