#include "daemon/runtime/scheduler.hpp"

#include "daemon/runtime/actor.hpp"

namespace todo {

void Actor::wake() {
  if (!is_scheduled_.exchange(true, std::memory_order_seq_cst)) {
    scheduler_.schedule(shared_from_this());
  }
}

Scheduler::Scheduler(std::size_t thread_count) {
  threads_.reserve(thread_count);
  for (std::size_t i = 0; i < thread_count; ++i) {
    threads_.emplace_back([this] { run_thread(); });
  }
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::schedule(std::shared_ptr<Actor> actor) {
  {
    std::lock_guard lock(mutex_);
    run_queue_.push_back(std::move(actor));
  }
  has_work_.notify_one();
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    is_stopping_ = true;
  }
  has_work_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  std::lock_guard lock(mutex_);
  run_queue_.clear();
}

void Scheduler::run_thread() {
  for (;;) {
    std::shared_ptr<Actor> actor;
    {
      std::unique_lock lock(mutex_);
      has_work_.wait(lock, [this] { return is_stopping_ || !run_queue_.empty(); });
      if (run_queue_.empty()) return;
      actor = std::move(run_queue_.front());
      run_queue_.pop_front();
    }
    give_turn(actor);
  }
}

void Scheduler::give_turn(const std::shared_ptr<Actor>& actor) {
  actor->run_turn();
  actor->is_scheduled_.store(false, std::memory_order_seq_cst);
  if (actor->has_new_work()) actor->wake();
}

}  // namespace todo
