// Synchronous calls to a list's actor, for tests: send, then wait for the reply.
#pragma once

#include <chrono>
#include <future>
#include <stdexcept>

#include "common/list_operation.hpp"
#include "common/protocol.hpp"
#include "daemon/server.hpp"
#include "day.hpp"

namespace todo::testing {

inline ListResult call(Server& server, ListOperation operation) {
  auto promise = std::make_shared<std::promise<ListResult>>();
  auto reply = promise->get_future();
  // The tests' systems keep idle actors for minutes: none retires under them.
  if (!server.send(std::move(operation),
                   [promise](ListResult result) { promise->set_value(std::move(result)); })) {
    throw std::runtime_error("the actor of list '" + server.name() + "' has retired");
  }
  if (reply.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    throw std::runtime_error("no reply from list actor within 30 s");
  }
  return reply.get();
}

inline EntryId add(Server& server, const char* when, const char* title) {
  ListResult result = call(server, AddEntry{day(when), title});
  if (!result) throw std::runtime_error("add failed: " + result.error().message);
  return std::get<EntryId>(result.value());
}

// The entries a successful read answered, decoded from their wire form.
inline std::vector<Entry> entries_read(const ListResult& result) {
  if (!result) throw std::runtime_error("read failed: " + result.error().message);
  auto decoded = decode_entries(std::get<EncodedEntries>(result.value()));
  if (!decoded) throw std::runtime_error("read answered " + decoded.error().message);
  return std::move(decoded).value();
}

inline std::vector<Entry> entries(Server& server, std::optional<Date> day = std::nullopt) {
  return entries_read(call(server, GetEntries{day}));
}

}  // namespace todo::testing
