#include "common/date.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "common/validation.hpp"

namespace todo {
namespace {

namespace chrono = std::chrono;

constexpr std::int32_t days_since_epoch_of(chrono::year_month_day date) {
  return static_cast<std::int32_t>(chrono::sys_days(date).time_since_epoch().count());
}

constexpr std::int32_t kFirstDay =
    days_since_epoch_of({chrono::year(1), chrono::January, chrono::day(1)});
constexpr std::int32_t kLastDay =
    days_since_epoch_of({chrono::year(9999), chrono::December, chrono::day(31)});

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// REQUIRES: text holds only digits.
unsigned digits_value(std::string_view text) {
  unsigned value = 0;
  for (const char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

Error invalid_date(std::string_view text, std::string_view why) {
  return Error::invalid("invalid date " + quoted_for_message(text) + ": " + std::string(why) +
                        " (expected YYYY-MM-DD)");
}

}  // namespace

Result<Date> Date::parse(std::string_view text) {
  // Checked by hand rather than with a parser, which would accept signs,
  // spaces or a one-digit month.
  const bool has_shape = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                         std::all_of(text.begin(), text.begin() + 4, is_digit) &&
                         std::all_of(text.begin() + 5, text.begin() + 7, is_digit) &&
                         std::all_of(text.begin() + 8, text.end(), is_digit);
  if (!has_shape) return invalid_date(text, "wrong format");

  const chrono::year year(static_cast<int>(digits_value(text.substr(0, 4))));
  const chrono::month month(digits_value(text.substr(5, 2)));
  const chrono::day day(digits_value(text.substr(8, 2)));
  if (year < chrono::year(1)) return invalid_date(text, "no year 0000");
  if (!month.ok()) return invalid_date(text, "no such month");
  const chrono::year_month_day date(year, month, day);
  if (!date.ok()) return invalid_date(text, "no such day");
  return Date(days_since_epoch_of(date));
}

Result<Date> Date::from_days_since_epoch(std::int32_t days) {
  if (days < kFirstDay || days > kLastDay) {
    return Error::invalid("day " + std::to_string(days) +
                          " since 1970-01-01 is outside 0001-01-01 .. 9999-12-31");
  }
  return Date(days);
}

Date Date::plus_days(std::int32_t days) const {
  // Saturates, so that no Date ever holds a day outside 0001 .. 9999; the sum
  // is taken in 64 bits because it can overflow 32.
  const std::int64_t sum = std::int64_t{days_} + days;
  return Date(static_cast<std::int32_t>(std::clamp<std::int64_t>(sum, kFirstDay, kLastDay)));
}

std::string Date::to_string() const {
  std::string text;
  text.reserve(10);
  append_to(text);
  return text;
}

void Date::append_to(std::string& out) const {
  const chrono::year_month_day date{chrono::sys_days(chrono::days(days_))};
  const auto year = static_cast<unsigned>(static_cast<int>(date.year()));
  const auto month = static_cast<unsigned>(date.month());
  const auto day = static_cast<unsigned>(date.day());
  const char text[10] = {static_cast<char>('0' + year / 1000),
                         static_cast<char>('0' + year / 100 % 10),
                         static_cast<char>('0' + year / 10 % 10),
                         static_cast<char>('0' + year % 10),
                         '-',
                         static_cast<char>('0' + month / 10),
                         static_cast<char>('0' + month % 10),
                         '-',
                         static_cast<char>('0' + day / 10),
                         static_cast<char>('0' + day % 10)};
  out.append(text, sizeof text);
}

}  // namespace todo
