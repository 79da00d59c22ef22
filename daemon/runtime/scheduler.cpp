#include "daemon/runtime/scheduler.hpp"

#include "daemon/runtime/actor.hpp"

namespace todo {

Scheduler::Scheduler(std::size_t thread_count) : thread_count_(thread_count) {
  threads_.reserve(thread_count);
  for (std::size_t i = 0; i < thread_count; ++i) {
    threads_.emplace_back([this, stop = stopping_.get_token()] { run_thread(stop); });
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
  stopping_.request_stop();
  threads_.clear();  // joins them
  MutexLock lock(mutex_);
  run_queue_.clear();
}

std::shared_ptr<Actor> Scheduler::next_actor(const std::stop_token& stop) {
  MutexLock lock(mutex_);
  has_work_.wait(mutex_, stop, [this]() REQUIRES(mutex_) { return !run_queue_.empty(); });
  if (run_queue_.empty()) return nullptr;
  std::shared_ptr<Actor> actor = std::move(run_queue_.front());
  run_queue_.pop_front();
  return actor;
}

void Scheduler::run_thread(const std::stop_token& stop) {
  while (const std::shared_ptr<Actor> actor = next_actor(stop)) give_turn(actor);
}

void Scheduler::give_turn(const std::shared_ptr<Actor>& actor) {
  actor->run_turn();
  actor->is_scheduled_.store(false, std::memory_order_seq_cst);
  if (actor->has_new_work()) actor->wake();
}

}  // namespace todo
