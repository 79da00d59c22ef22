// The base of everything the Scheduler runs: a small object with work queued
// for it, run in turns on whichever pool thread picks it up. Actors are not
// threads; a million idle actors are a million small heap objects.
//
// The wake-up protocol: wake() sets the scheduled flag and, if it was clear,
// queues the actor. After a turn the scheduler clears the flag and asks
// has_new_work(). Work that arrived during
// the turn is either seen by that question or finds the flag clear and queues
// the actor itself. No wake-up is lost and an actor is never queued twice, so
// turns of one actor never overlap.
//
// Once the flag is clear, another thread may already be running the next
// turn: has_new_work() must therefore read only atomics, never the state a
// turn owns.
//
// Thread safety: wake() may be called from any thread. run_turn() only from
// the Scheduler, never concurrently with itself; has_new_work() from the
// Scheduler, possibly concurrently with a turn.
#pragma once

#include <atomic>
#include <memory>

namespace todo {

class Scheduler;

class Actor : public std::enable_shared_from_this<Actor> {
 public:
  explicit Actor(Scheduler& scheduler) : scheduler_(scheduler) {}
  Actor(const Actor&) = delete;
  Actor& operator=(const Actor&) = delete;
  virtual ~Actor() = default;

  // Asks for a turn. Cheap when the actor is already queued or running.
  void wake();

 protected:
  // REQUIRES: called by the Scheduler only.
  virtual void run_turn() = 0;
  // Whether there is work a turn should see: arrived meanwhile, or left by
  // the last turn so that other actors could run. Reads atomics only.
  // REQUIRES: called by the Scheduler only, after a turn.
  virtual bool has_new_work() const = 0;

 private:
  friend class Scheduler;

  Scheduler& scheduler_;
  std::atomic<bool> is_scheduled_{false};
};

}  // namespace todo
