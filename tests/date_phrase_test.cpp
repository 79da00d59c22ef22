#include "common/date_phrase.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/validation.hpp"
#include "day.hpp"
#include "rejection.hpp"

namespace todo {
namespace {

using testing::day;
using testing::rejection;

// A Thursday.
const Date kToday = Date::parse("2026-12-03").value();

std::string resolved(std::string_view text, Date today = kToday) {
  return rejection(parse_date_phrase(text, today));
}

TEST_CASE("a date written out is that date whatever the day") {
  CHECK(resolved("2026-12-19") == "accepted 2026-12-19");
  CHECK(resolved("1999-01-01") == "accepted 1999-01-01");
  CHECK(resolved("2026-02-30") ==
        "invalid argument: invalid date '2026-02-30': no such day (expected YYYY-MM-DD)");
}

TEST_CASE("today tomorrow and yesterday in any case") {
  CHECK(resolved("today") == "accepted 2026-12-03");
  CHECK(resolved("Today") == "accepted 2026-12-03");
  CHECK(resolved("TOMORROW") == "accepted 2026-12-04");
  CHECK(resolved("yesterday") == "accepted 2026-12-02");
  CHECK(resolved("tomorrow", day("2026-12-31")) == "accepted 2027-01-01");
}

TEST_CASE("a weekday is the first such day after today and never today") {
  CHECK(resolved("friday") == "accepted 2026-12-04");
  CHECK(resolved("Fri") == "accepted 2026-12-04");
  CHECK(resolved("sunday") == "accepted 2026-12-06");
  CHECK(resolved("monday") == "accepted 2026-12-07");
  CHECK(resolved("wednesday") == "accepted 2026-12-09");
  CHECK(resolved("thursday") == "accepted 2026-12-10");
  CHECK(resolved("thu") == "accepted 2026-12-10");
  CHECK(resolved("next monday") == "accepted 2026-12-07");
  CHECK(resolved("Next Thursday") == "accepted 2026-12-10");
}

TEST_CASE("offsets count days weeks months and years from today") {
  CHECK(resolved("+3d") == "accepted 2026-12-06");
  CHECK(resolved("-1d") == "accepted 2026-12-02");
  CHECK(resolved("+0d") == "accepted 2026-12-03");
  CHECK(resolved("+2w") == "accepted 2026-12-17");
  CHECK(resolved("+1m") == "accepted 2027-01-03");
  CHECK(resolved("-12m") == "accepted 2025-12-03");
  CHECK(resolved("+1y") == "accepted 2027-12-03");
  CHECK(resolved("+30D") == "accepted 2027-01-02");

  SECTION("a month or year past a month's end lands on its last day") {
    CHECK(resolved("+1m", day("2026-01-31")) == "accepted 2026-02-28");
    CHECK(resolved("-1m", day("2026-03-31")) == "accepted 2026-02-28");
    CHECK(resolved("+1m", day("2024-01-30")) == "accepted 2024-02-29");
    CHECK(resolved("+1y", day("2024-02-29")) == "accepted 2025-02-28");
  }
  SECTION("past 9999-12-31 or before 0001-01-01 is refused") {
    CHECK(resolved("+1d", day("9999-12-31")) ==
          "invalid argument: invalid date '+1d': it lands outside 0001-01-01 .. 9999-12-31");
    CHECK(resolved("-1y", day("0001-06-01")) ==
          "invalid argument: invalid date '-1y': it lands outside 0001-01-01 .. 9999-12-31");
    CHECK(resolved("+9999y").starts_with("invalid argument: invalid date '+9999y': it lands"));
    for (const char* text : {"tomorrow", "friday", "next friday"}) {
      CHECK(resolved(text, day("9999-12-31")) == "invalid argument: invalid date " +
                                                     quoted_for_message(text) +
                                                     ": it lands outside 0001-01-01 .. 9999-12-31");
    }
    CHECK(resolved("yesterday", day("0001-01-01")) ==
          "invalid argument: invalid date 'yesterday': it lands outside 0001-01-01 .. 9999-12-31");
  }
}

TEST_CASE("eow eom and eoy are the ends of this week month and year") {
  CHECK(resolved("eow") == "accepted 2026-12-06");
  CHECK(resolved("eow", day("2026-12-06")) == "accepted 2026-12-06");
  CHECK(resolved("eow", day("2026-12-07")) == "accepted 2026-12-13");
  CHECK(resolved("EOM") == "accepted 2026-12-31");
  CHECK(resolved("eom", day("2026-02-10")) == "accepted 2026-02-28");
  CHECK(resolved("eom", day("2028-02-10")) == "accepted 2028-02-29");
  CHECK(resolved("eoy", day("2026-01-01")) == "accepted 2026-12-31");
}

TEST_CASE("what is not a date is refused naming the forms that are") {
  const std::string forms = std::string(kDateForms);
  for (const char* text : {"Buy", "", "next", "next week", "+3x", "+d", "3", "+12345d", "12/25",
                           "2026-1-5", "mondays", "eod", "- 1d", "+-1d", "+1d ", " today"}) {
    INFO(text);
    CHECK(resolved(text) ==
          "invalid argument: invalid date " + quoted_for_message(text) + ": a date is " + forms);
  }
}

std::size_t words_of(std::vector<std::string> words) { return date_phrase_words(words); }

TEST_CASE("date_phrase_words tells a date from the first word of a title") {
  CHECK(words_of({}) == 0);
  CHECK(words_of({"Buy", "milk"}) == 0);
  CHECK(words_of({"next", "steps"}) == 0);
  CHECK(words_of({"next"}) == 0);
  CHECK(words_of({"3-pack", "of", "socks"}) == 0);
  CHECK(words_of({"todays", "news"}) == 0);
  CHECK(words_of({"today", "Dentist"}) == 1);
  CHECK(words_of({"Friday"}) == 1);
  CHECK(words_of({"+3d", "x"}) == 1);
  CHECK(words_of({"next", "Monday", "call"}) == 2);
  CHECK(words_of({"next", "mon", "call"}) == 2);
  CHECK(words_of({"Sun", "cream"}) == 0);
  CHECK(words_of({"wed", "planning"}) == 0);
  SECTION("a word meant as a date counts even when it is not one, so it is refused") {
    CHECK(words_of({"2026-13-01", "x"}) == 1);
    CHECK(words_of({"12/25", "x"}) == 1);
    CHECK(words_of({"+3x", "x"}) == 1);
    CHECK(words_of({"-5", "degrees"}) == 1);
  }
}

}  // namespace
}  // namespace todo
