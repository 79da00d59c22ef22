#include "common/date.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "day.hpp"
#include "rejection.hpp"

namespace todo {
namespace {

using testing::day;
using testing::rejection;

TEST_CASE("parse accepts real dates and to_string gives them back") {
  const char* const texts[] = {"2026-07-14", "0001-01-01", "9999-12-31", "1970-01-01",
                               "2018-12-19", "2024-02-29", "2000-02-29", "1600-02-29",
                               "2026-01-31", "2026-04-30", "2026-12-31", "0999-09-09"};
  for (const char* text : texts) {
    CHECK(day(text).to_string() == text);
  }
}

TEST_CASE("parse counts days from 1970-01-01") {
  CHECK(day("1970-01-01").days_since_epoch() == 0);
  CHECK(day("1970-01-02").days_since_epoch() == 1);
  CHECK(day("1969-12-31").days_since_epoch() == -1);
  CHECK(day("2000-01-01").days_since_epoch() == 10957);
  CHECK(day("0001-01-01").days_since_epoch() == -719162);
  CHECK(day("9999-12-31").days_since_epoch() == 2932896);
}

TEST_CASE("the default date is 1970-01-01") {
  CHECK(Date().to_string() == "1970-01-01");
  CHECK(Date() == day("1970-01-01"));
}

TEST_CASE("parse rejects days that do not exist, naming the text") {
  CHECK(rejection(Date::parse("2026-02-30")) ==
        "invalid argument: invalid date '2026-02-30': no such day (expected YYYY-MM-DD)");
  CHECK(rejection(Date::parse("2026-13-01")) ==
        "invalid argument: invalid date '2026-13-01': no such month (expected YYYY-MM-DD)");
  CHECK(rejection(Date::parse("2026-00-10")) ==
        "invalid argument: invalid date '2026-00-10': no such month (expected YYYY-MM-DD)");
  CHECK(rejection(Date::parse("0000-01-01")) ==
        "invalid argument: invalid date '0000-01-01': no year 0000 (expected YYYY-MM-DD)");

  SECTION("leap years") {
    CHECK_FALSE(Date::parse("2025-02-29").ok());
    CHECK_FALSE(Date::parse("1900-02-29").ok());  // divisible by 100, not by 400
    CHECK_FALSE(Date::parse("2024-02-30").ok());
    CHECK(Date::parse("2024-02-29").ok());
    CHECK(Date::parse("2000-02-29").ok());  // divisible by 400
  }
  SECTION("day 0 and days past the end of the month") {
    for (const char* text : {"2026-01-00", "2026-01-32", "2026-04-31", "2026-06-31", "2026-09-31",
                             "2026-11-31", "2026-12-32", "2026-02-29", "2026-05-99"}) {
      CHECK(rejection(Date::parse(text)) == "invalid argument: invalid date '" + std::string(text) +
                                                "': no such day (expected YYYY-MM-DD)");
    }
  }
  SECTION("months past 12") {
    CHECK_FALSE(Date::parse("2026-99-01").ok());
    CHECK_FALSE(Date::parse("2026-20-10").ok());
  }
}

TEST_CASE("parse accepts nothing but YYYY-MM-DD") {
  const std::string_view texts[] = {
      "",
      "2026-1-01",
      "2026-01-1",
      "26-01-01",
      "02026-01-01",
      "2026-001-01",
      "2026-01-011",
      "20260101",
      "2026/01/01",
      "2026.01.01",
      "2026-01_01",
      "+026-01-01",
      "-026-01-01",
      "2026-+1-01",
      "2026-01--1",
      " 2026-01-01",
      "2026-01-01 ",
      "2026-01-01\n",
      "2026-01-01T00:00",
      "2026-0a-01",
      "abcd-ef-gh",
      "2026-01-0x",
      "２０２６-01-01",
      std::string_view("2026-01-01\0", 11),
      std::string_view("2026-01\0-01", 11),
  };
  for (const std::string_view text : texts) {
    INFO(text);
    const auto parsed = Date::parse(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == StatusCode::invalid_argument);
    CHECK_THAT(parsed.error().message, Catch::EndsWith(": wrong format (expected YYYY-MM-DD)"));
  }
  CHECK(rejection(Date::parse("2026-1-01")) ==
        "invalid argument: invalid date '2026-1-01': wrong format (expected YYYY-MM-DD)");
  CHECK(rejection(Date::parse("")) ==
        "invalid argument: invalid date '': wrong format (expected YYYY-MM-DD)");
}

TEST_CASE("the text in a parse error is quoted safely") {
  CHECK(rejection(Date::parse("2026-01-01\n")) ==
        "invalid argument: invalid date '2026-01-01\\x0A': wrong format (expected YYYY-MM-DD)");
}

TEST_CASE("every date from 0001 to 9999 survives to_string and parse") {
  const Date last = day("9999-12-31");
  std::int32_t count = 0;
  for (Date date = day("0001-01-01");; date = date.plus_days(1)) {
    const auto parsed = Date::parse(date.to_string());
    if (!parsed.ok() || parsed.value() != date) {
      FAIL("round trip failed for day " << date.days_since_epoch() << " " << date.to_string());
    }
    ++count;
    if (date == last) break;
  }
  CHECK(count == 2932896 + 719162 + 1);
}

TEST_CASE("dates order by time") {
  CHECK(day("2018-12-19") < day("2018-12-20"));
  CHECK(day("2018-12-31") < day("2019-01-01"));
  CHECK(day("2018-11-30") < day("2018-12-01"));
  CHECK(day("0999-12-31") < day("1000-01-01"));
  CHECK(day("1969-12-31") < day("1970-01-01"));
  CHECK(day("2018-12-20") > day("2018-12-19"));
  CHECK(day("2018-12-19") == day("2018-12-19"));
  CHECK(day("2018-12-19") != day("2019-12-18"));
}

TEST_CASE("from_days_since_epoch accepts exactly 0001-01-01 to 9999-12-31") {
  const auto first = Date::from_days_since_epoch(-719162);
  REQUIRE(first.ok());
  CHECK(first.value().to_string() == "0001-01-01");
  const auto last = Date::from_days_since_epoch(2932896);
  REQUIRE(last.ok());
  CHECK(last.value().to_string() == "9999-12-31");
  const auto epoch = Date::from_days_since_epoch(0);
  REQUIRE(epoch.ok());
  CHECK(epoch.value() == Date());

  CHECK(rejection(Date::from_days_since_epoch(-719163)) ==
        "invalid argument: day -719163 since 1970-01-01 is outside 0001-01-01 .. 9999-12-31");
  CHECK(rejection(Date::from_days_since_epoch(2932897)) ==
        "invalid argument: day 2932897 since 1970-01-01 is outside 0001-01-01 .. 9999-12-31");
  CHECK_FALSE(Date::from_days_since_epoch(std::numeric_limits<std::int32_t>::min()).ok());
  CHECK_FALSE(Date::from_days_since_epoch(std::numeric_limits<std::int32_t>::max()).ok());
}

TEST_CASE("plus_days moves across months, years and leap days") {
  CHECK(day("2026-01-31").plus_days(1) == day("2026-02-01"));
  CHECK(day("2018-12-31").plus_days(1) == day("2019-01-01"));
  CHECK(day("2024-02-28").plus_days(1) == day("2024-02-29"));
  CHECK(day("2025-02-28").plus_days(1) == day("2025-03-01"));
  CHECK(day("2024-01-01").plus_days(366) == day("2025-01-01"));
  CHECK(day("2025-01-01").plus_days(365) == day("2026-01-01"));
  CHECK(day("2019-01-01").plus_days(-1) == day("2018-12-31"));
  CHECK(day("2024-03-01").plus_days(-1) == day("2024-02-29"));
  CHECK(day("2018-12-19").plus_days(0) == day("2018-12-19"));
  CHECK(day("1970-01-01").plus_days(10957) == day("2000-01-01"));
}

TEST_CASE("plus_days stops at the ends of the range") {
  const Date first = day("0001-01-01");
  const Date last = day("9999-12-31");
  CHECK(last.plus_days(1) == last);
  CHECK(first.plus_days(-1) == first);
  CHECK(last.plus_days(std::numeric_limits<std::int32_t>::max()) == last);
  CHECK(first.plus_days(std::numeric_limits<std::int32_t>::min()) == first);
  CHECK(first.plus_days(std::numeric_limits<std::int32_t>::max()) == last);
}

}  // namespace
}  // namespace todo
