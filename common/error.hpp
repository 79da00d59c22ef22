// An error as a value: a status a program can branch on and a message a person
// can act on ("no entry 7 in list 'bob'"). Errors never cross threads as
// exceptions; they travel inside Result and inside replies.
//
// Thread safety: a plain value; distinct objects may be used from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace todo {

// The numeric values are part of the wire protocol: never renumber.
enum class StatusCode : std::uint8_t {
  ok = 0,
  not_found = 1,
  invalid_argument = 2,
  busy = 3,
  internal = 4,
};

// For people: "not found".
std::string_view to_string(StatusCode code);
// For programs, as JSON errors carry it: "not_found".
std::string_view code_name(StatusCode code);

struct Error {
  StatusCode code = StatusCode::internal;
  std::string message;

  static Error not_found(std::string message) {
    return {StatusCode::not_found, std::move(message)};
  }
  static Error invalid(std::string message) {
    return {StatusCode::invalid_argument, std::move(message)};
  }
  static Error busy(std::string message) { return {StatusCode::busy, std::move(message)}; }
  static Error internal(std::string message) { return {StatusCode::internal, std::move(message)}; }
};

}  // namespace todo
