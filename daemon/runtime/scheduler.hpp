// Runs actors M:N on a fixed pool of threads, as the BEAM runs processes: a
// run queue of actors that have work, and threads that take one, give it a
// turn, and take the next. An actor with more work after its turn goes to the
// back of the queue, so one busy actor cannot starve the others.
//
// Thread safety: schedule() may be called from any thread. stop() once, from a
// thread that is not a pool thread; it runs what is queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace todo {

class Actor;

class Scheduler {
 public:
  explicit Scheduler(std::size_t thread_count);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler();

  std::size_t thread_count() const { return threads_.size(); }

  // REQUIRES: the actor's scheduled flag was set by the caller (Actor::wake).
  void schedule(std::shared_ptr<Actor> actor);
  // Lets the queue run empty, then joins the threads. Actors woken after the
  // queue ran empty are not run.
  void stop();

 private:
  void run_thread();
  static void give_turn(const std::shared_ptr<Actor>& actor);

  std::mutex mutex_;
  std::condition_variable has_work_;
  std::deque<std::shared_ptr<Actor>> run_queue_;  // guarded by mutex_
  bool is_stopping_ = false;                      // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace todo
