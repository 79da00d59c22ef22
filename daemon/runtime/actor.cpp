#include "daemon/runtime/actor.hpp"

#include "daemon/runtime/scheduler.hpp"

namespace todo {

void Actor::wake() {
  if (!is_scheduled_.exchange(true, std::memory_order_seq_cst)) {
    scheduler_.schedule(shared_from_this());
  }
}

}  // namespace todo
