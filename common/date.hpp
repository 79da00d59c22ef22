// A calendar date (proleptic Gregorian), years 0001 to 9999. Only real dates
// exist: parse() rejects 2026-02-30 and 2026-13-01. Stored as days since
// 1970-01-01, so it is four bytes, orders naturally and encodes compactly.
//
// Thread safety: a plain value.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace todo {

class Date {
 public:
  // 1970-01-01.
  Date() = default;

  // Accepts exactly YYYY-MM-DD. The error names the text and what is wrong.
  static Result<Date> parse(std::string_view text);
  // Fails for day counts outside 0001-01-01 .. 9999-12-31 (used when decoding).
  static Result<Date> from_days_since_epoch(std::int32_t days);

  std::int32_t days_since_epoch() const { return days_; }
  Date plus_days(std::int32_t days) const;
  std::string to_string() const;  // YYYY-MM-DD
  // Appends YYYY-MM-DD to out: no string of its own, for pages of entries.
  void append_to(std::string& out) const;

  friend auto operator<=>(const Date&, const Date&) = default;

 private:
  explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

}  // namespace todo
