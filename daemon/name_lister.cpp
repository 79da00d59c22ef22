#include "daemon/name_lister.hpp"

#include "daemon/database.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/system_counters.hpp"

namespace todo {

void NameLister::start(Scheduler& scheduler, const Database& database, SystemCounters& counters,
                       ListNames page, ReplyFn reply) {
  counters.requests_in_progress.fetch_add(1, std::memory_order_relaxed);
  std::make_shared<NameLister>(scheduler, database, counters, std::move(page), std::move(reply))
      ->wake();
}

NameLister::NameLister(Scheduler& scheduler, const Database& database, SystemCounters& counters,
                       ListNames page, ReplyFn reply)
    : Actor(scheduler),
      database_(database),
      counters_(counters),
      page_(std::move(page)),
      reply_(std::move(reply)) {}

void NameLister::run_turn() {
  Result<std::vector<std::string>> names = Error::internal("the page of names was not read");
  try {
    names = database_.list_names(page_.after, page_.limit);
  } catch (const std::exception& e) {
    names = Error::internal(std::string("could not read a page of list names: ") + e.what());
  }
  // Counted before it goes out, as Server::reply does.
  counters_.requests_served.fetch_add(1, std::memory_order_relaxed);
  counters_.requests_in_progress.fetch_sub(1, std::memory_order_release);
  try {
    reply_(std::move(names));
  } catch (const std::exception& e) {
    log_event(std::string("could not answer a page of list names: ") + e.what());
  }
}

}  // namespace todo
