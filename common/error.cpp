#include "common/error.hpp"

namespace todo {

std::string_view to_string(StatusCode code) {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::not_found:
      return "not found";
    case StatusCode::invalid_argument:
      return "invalid argument";
    case StatusCode::busy:
      return "busy";
    case StatusCode::internal:
      return "internal error";
  }
  return "unknown status";
}

std::string_view code_name(StatusCode code) {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::not_found:
      return "not_found";
    case StatusCode::invalid_argument:
      return "invalid_argument";
    case StatusCode::busy:
      return "busy";
    case StatusCode::internal:
      break;
  }
  return "internal";
}

}  // namespace todo
