// Turns a decoded Request into work: a list's operation goes to that list's
// actor through the Cache; list names are read from the Database; ping is
// answered from the counters. The reply is handed to `respond`, on whichever
// thread produced it (a pool thread for list operations).
//
// Thread safety: handle() may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/protocol.hpp"

namespace todo {

class System;

class RequestHandler {
 public:
  using Respond = std::function<void(Reply)>;

  RequestHandler(System& system, std::string version);

  void handle(Request request, Respond respond);

 private:
  Reply ping(std::uint64_t request_id) const;

  System& system_;
  const std::string version_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace todo
