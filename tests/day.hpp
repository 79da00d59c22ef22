// A date for a test, from text the test knows to be valid: a typo in a test
// fails that test with the text, not with an assertion inside Result.
#pragma once

#include <catch2/catch.hpp>
#include <string_view>

#include "common/date.hpp"

namespace todo::testing {

inline Date day(std::string_view text) {
  auto parsed = Date::parse(text);
  INFO("test date " << text);
  REQUIRE(parsed.ok());
  return parsed.value();
}

}  // namespace todo::testing
