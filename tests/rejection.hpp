// A Result as one string for a CHECK: "accepted", or "<code>: <message>"
// (e.g. "invalid argument: list name is empty"), so that one comparison
// checks both the code and the message and a failure prints them.
#pragma once

#include <string>

#include "common/result.hpp"

namespace todo::testing {

// An accepted value that has a to_string() (a Date) is shown after
// "accepted", so that a failure shows what was accepted in place of the
// rejection.
template <class T>
std::string rejection(const Result<T>& result) {
  if (!result.ok()) {
    return std::string(to_string(result.error().code)) + ": " + result.error().message;
  }
  if constexpr (requires { result.value().to_string(); }) {
    return "accepted " + result.value().to_string();
  } else {
    return "accepted";
  }
}

}  // namespace todo::testing
