#include "common/date_phrase.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>

#include "common/validation.hpp"

namespace todo {
namespace {

namespace chrono = std::chrono;

constexpr std::array<std::string_view, 7> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

chrono::sys_days sys_days_of(Date date) {
  return chrono::sys_days(chrono::days(date.days_since_epoch()));
}

// What date_of says of a day outside the calendar; parse_date_phrase names
// the text before it.
constexpr std::string_view kOutsideCalendar = "it lands outside 0001-01-01 .. 9999-12-31";

Result<Date> date_of(chrono::sys_days day) {
  auto date =
      Date::from_days_since_epoch(static_cast<std::int32_t>(day.time_since_epoch().count()));
  if (!date) return Error::invalid(std::string(kOutsideCalendar));
  return date;
}

// The weekday `word` names (monday or mon), if it names one.
std::optional<chrono::weekday> weekday_named(std::string_view word) {
  for (unsigned i = 0; i < kWeekdays.size(); ++i) {
    if (word == kWeekdays[i] || (word.size() == 3 && kWeekdays[i].starts_with(word))) {
      return chrono::weekday(i);
    }
  }
  return std::nullopt;
}

Error not_a_date(std::string_view text) {
  return Error::invalid("invalid date " + quoted_for_message(text) + ": a date is " +
                        std::string(kDateForms));
}

// ymd moved by months, landing on the month's last day when the day is past it.
chrono::sys_days plus_months(chrono::year_month_day ymd, chrono::months months) {
  const chrono::year_month_day moved = ymd + months;
  if (moved.ok()) return moved;
  return chrono::year_month_day_last(moved.year(), chrono::month_day_last(moved.month()));
}

// +3d, -1d, +2w, +1m, +1y: today moved by a signed count of units.
Result<Date> parse_offset(std::string_view text, std::string_view original, Date today) {
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) return not_a_date(original);
  const std::string_view digits = text.substr(1, text.size() - 2);
  // Four digits at most, so that no count of months or years overflows
  // chrono's year; any more would land past 9999 anyway, or nearly.
  if (digits.empty() || digits.size() > 4 || !std::all_of(digits.begin(), digits.end(), is_digit)) {
    return not_a_date(original);
  }
  std::int32_t count = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (text[0] == '-') count = -count;
  const chrono::sys_days day = sys_days_of(today);
  const chrono::year_month_day ymd(day);
  chrono::sys_days moved;
  switch (text.back()) {
    case 'd':
      moved = day + chrono::days(count);
      break;
    case 'w':
      moved = day + chrono::weeks(count);
      break;
    case 'm':
      moved = plus_months(ymd, chrono::months(count));
      break;
    case 'y':
      moved = plus_months(ymd, chrono::years(count));
      break;
    default:
      return not_a_date(original);
  }
  return date_of(moved);
}

// parse_date_phrase, but for a day outside the calendar: kOutsideCalendar.
Result<Date> resolve(std::string_view text, Date today) {
  const std::string phrase = lower_case(text);
  // Shaped as YYYY-MM-DD: Date::parse says what is wrong with it, if anything.
  if (phrase.size() == 10 && phrase[4] == '-' && phrase[7] == '-') return Date::parse(phrase);
  if (phrase == "today") return today;
  if (phrase == "tomorrow") return date_of(sys_days_of(today) + chrono::days(1));
  if (phrase == "yesterday") return date_of(sys_days_of(today) - chrono::days(1));
  const chrono::sys_days day = sys_days_of(today);
  const chrono::year_month_day ymd(day);
  if (phrase == "eow") return date_of(day + (chrono::Sunday - chrono::weekday(day)));
  if (phrase == "eom") {
    return date_of(chrono::year_month_day_last(ymd.year(), chrono::month_day_last(ymd.month())));
  }
  if (phrase == "eoy") {
    return date_of(chrono::year_month_day(ymd.year(), chrono::December, chrono::day(31)));
  }
  const std::string_view named =
      phrase.starts_with("next ") ? std::string_view(phrase).substr(5) : std::string_view(phrase);
  if (const auto weekday = weekday_named(named)) {
    chrono::days ahead = *weekday - chrono::weekday(day);
    if (ahead == chrono::days(0)) ahead = chrono::weeks(1);
    return date_of(day + ahead);
  }
  return parse_offset(phrase, text, today);
}

}  // namespace

Result<Date> parse_date_phrase(std::string_view text, Date today) {
  auto date = resolve(text, today);
  if (!date && date.error().message == kOutsideCalendar) {
    return Error::invalid("invalid date " + quoted_for_message(text) + ": " +
                          std::string(kOutsideCalendar));
  }
  return date;
}

std::size_t date_phrase_words(std::span<const std::string> words) {
  if (words.empty()) return 0;
  const std::string first = lower_case(words[0]);
  if (first == "next" && words.size() > 1 && weekday_named(lower_case(words[1]))) return 2;
  const bool is_abbreviation = first.size() == 3 && weekday_named(first);
  if (!is_abbreviation && parse_date_phrase(first, Date()).ok()) return 1;
  // What is meant as a date even when it is not one: digits with separators
  // (2026-13-01, 12/25), or a sign and a digit (+3x). A title may not start so
  // without --date.
  const bool is_numeric =
      !first.empty() && is_digit(first[0]) && std::all_of(first.begin(), first.end(), [](char c) {
        return is_digit(c) || c == '-' || c == '/' || c == '.';
      });
  const bool is_signed =
      first.size() > 1 && (first[0] == '+' || first[0] == '-') && is_digit(first[1]);
  return is_numeric || is_signed ? 1 : 0;
}

Date local_today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  const chrono::year_month_day ymd(chrono::year(local.tm_year + 1900),
                                   chrono::month(static_cast<unsigned>(local.tm_mon + 1)),
                                   chrono::day(static_cast<unsigned>(local.tm_mday)));
  return date_of(chrono::sys_days(ymd)).value();
}

}  // namespace todo
