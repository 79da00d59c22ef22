#include "daemon/runtime/scheduler.hpp"

#include "daemon/runtime/actor.hpp"

namespace todo {

Scheduler::Scheduler(std::size_t thread_count) : thread_count_(thread_count) {
  threads_.reserve(thread_count);
  try {
    for (std::size_t i = 0; i < thread_count; ++i) threads_.emplace_back([this] { run_thread(); });
  } catch (...) {
    // The threads already running must be joined, not left to terminate().
    stop();
    throw;
  }
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::schedule(std::shared_ptr<Actor> actor) {
  {
    MutexLock lock(mutex_);
    run_queue_.push_back(std::move(actor));
  }
  has_work_.notify_one();
}

void Scheduler::stop() {
  {
    MutexLock lock(mutex_);
    is_stopping_ = true;
  }
  has_work_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  MutexLock lock(mutex_);
  run_queue_.clear();
}

std::shared_ptr<Actor> Scheduler::next_actor() {
  MutexLock lock(mutex_);
  while (!is_stopping_ && run_queue_.empty()) has_work_.wait(mutex_);
  if (run_queue_.empty()) return nullptr;
  std::shared_ptr<Actor> actor = std::move(run_queue_.front());
  run_queue_.pop_front();
  return actor;
}

void Scheduler::run_thread() {
  while (const std::shared_ptr<Actor> actor = next_actor()) give_turn(actor);
}

void Scheduler::give_turn(const std::shared_ptr<Actor>& actor) {
  actor->run_turn();
  actor->is_scheduled_.store(false, std::memory_order_seq_cst);
  if (actor->has_new_work()) actor->wake();
}

}  // namespace todo
