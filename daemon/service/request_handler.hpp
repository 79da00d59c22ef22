// Turns a decoded Request into work: a list's operation goes to the actor of
// the list its name means (resolve_list_name, which refuses names that could
// pass for another) through the Cache; a page of list names is read on a pool
// thread (NameLister); an undo without a list by LatestUndo; ping is answered from the counters;
// the access token commands by AccessTokens, on the calling thread: a change writes its file there
// (an fsync), which the rare `todo token` can afford; a backup by the BackupMaker, on its own
// thread. The reply is handed to `respond`, on whichever thread produced it (a pool thread or a
// database worker for list operations).
//
// Admission: past the System's limit of requests in progress, a list request
// or a page of names is answered busy at once, so a flood cannot grow the daemon's memory
// without bound. Every answer is counted (errors, latency from handle() to
// the answer) for ping.
//
// Thread safety: handle() and refuse() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "common/protocol.hpp"
#include "daemon/service/latency_histogram.hpp"

namespace todo {

class System;

class RequestHandler {
 public:
  using Respond = std::function<void(Reply)>;

  RequestHandler(System& system, std::string version);

  void handle(Request request, Respond respond);
  // The answer to a message that never became a request (undecodable, too
  // large): counted like any other error.
  Reply refuse(std::uint64_t request_id, Error error);
  // The busy answer sent in place of one that was made but cannot be sent
  // yet (ReplyMemory): counted as a busy refusal.
  Reply withhold(std::uint64_t request_id, Error error);

 private:
  using Clock = std::chrono::steady_clock;

  // Whether the request may go on; if not, it was answered busy.
  bool admit(std::uint64_t request_id, Clock::time_point received, const Respond& respond);
  void answer(const Respond& respond, Clock::time_point received, Reply reply);
  Reply ping(std::uint64_t request_id) const;
  using TokenCommand = std::variant<AddToken, ListTokens, RevokeToken>;
  Reply token_reply(std::uint64_t request_id, TokenCommand command);

  System& system_;
  const std::string version_;
  const Clock::time_point started_;
  std::atomic<std::uint64_t> errors_{0};
  LatencyHistogram latency_;
};

}  // namespace todo
