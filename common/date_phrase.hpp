// A date as people write it, resolved against the day it is written on. One
// parser serves the CLI, `todo batch` and the HTTP API, so a date means the
// same thing whichever way it is sent. The forms, in any case:
//
//   2026-12-19                 that day (Date::parse)
//   today tomorrow yesterday
//   monday .. sunday, mon .. sun, next monday
//                              the first such day after today, never today
//                              itself ("next monday" is the same day)
//   +3d -1d +2w +1m +1y        days, weeks, months or years from today; a
//                              month or year that lands past a month's end
//                              lands on its last day (2026-01-31 +1m is
//                              2026-02-28)
//   eow eom eoy                the end of this week (Sunday; today on a
//                              Sunday), month or year
//
// Thread safety: pure functions, apart from local_today(), which reads the
// clock and the time zone.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/date.hpp"
#include "common/result.hpp"

namespace todo {

// The forms above, for error messages and help.
inline constexpr std::string_view kDateForms =
    "YYYY-MM-DD, today, tomorrow, yesterday, a weekday (friday, fri, next friday), "
    "+3d, -1d, +2w, +1m, +1y, eow, eom or eoy";

// The date `text` names, counted from `today`. The error names the text and
// the forms above.
Result<Date> parse_date_phrase(std::string_view text, Date today);

// How many of `words`, from the first, a date phrase spans: 2 for "next
// friday", 1 for one word that is or looks like a date ("2026-13-01" looks
// like one and is not), 0 when the first word is not meant as a date, such as
// the first word of a title ("Buy milk"). A weekday's three letters alone are
// not taken for one: "Sun cream" and "Sat nav" are titles.
std::size_t date_phrase_words(std::span<const std::string> words);

// The date today in the local time zone.
Date local_today();

}  // namespace todo
