#include "cli/entry_transfer.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "day.hpp"
#include "rejection.hpp"

namespace todo {
namespace {

using testing::day;
using testing::rejection;

std::string described(const ImportedEntry& entry) {
  std::string text =
      entry.list + " " + entry.date.to_string() + (entry.is_done ? " [x] " : " [ ] ") + entry.title;
  for (const std::string& tag : entry.tags) text += " +" + tag;
  return text;
}

TEST_CASE("an export line names the list beside the entry's fields") {
  CHECK(
      export_line("al\"ice", Entry{3, day("2018-12-19"), "Dentist\tat 9", true}) ==
      R"({"id":3,"date":"2018-12-19","title":"Dentist\tat 9","done":true,"tags":[],"list":"al\"ice"})");
}

TEST_CASE("import reads back what export writes") {
  const std::string lines = export_line("alice", Entry{1, day("2018-12-19"), "Dentist", false}) +
                            "\n\n" + export_line("bob", Entry{7, day("2026-01-02"), "Gym", true}) +
                            "\n";
  auto plan = parse_import(lines, std::nullopt, day("2026-12-03"));
  REQUIRE(plan.ok());
  REQUIRE(plan.value().entries.size() == 2);
  CHECK(described(plan.value().entries[0]) == "alice 2018-12-19 [ ] Dentist");
  CHECK(described(plan.value().entries[1]) == "bob 2026-01-02 [x] Gym");
}

TEST_CASE("import maps Taskwarrior's task export to lists and entries") {
  const std::string tasks = R"([
    {"id":1,"description":"Call the plumber","due":"20261204T230000Z","status":"pending",
     "project":"home","tags":["phone","urgent"],"uuid":"a"},
    {"id":0,"description":"Pay rent","status":"completed","project":"home","uuid":"b"},
    {"id":0,"description":"Old idea","status":"deleted","uuid":"c"},
    {"id":2,"description":"Read book","status":"waiting","uuid":"d"}
  ])";
  auto plan = parse_import(tasks, std::string("inbox"), day("2026-12-03"));
  REQUIRE(plan.ok());
  REQUIRE(plan.value().entries.size() == 3);
  // 23:00 UTC is the date it is in the local zone, which the test runs in.
  std::tm utc{};
  ::strptime("20261204T230000Z", "%Y%m%dT%H%M%SZ", &utc);
  const std::time_t due = ::timegm(&utc);
  std::tm local{};
  ::localtime_r(&due, &local);
  char local_date[16];
  std::strftime(local_date, sizeof local_date, "%Y-%m-%d", &local);
  CHECK(described(plan.value().entries[0]) ==
        std::string("home ") + local_date + " [ ] Call the plumber +phone +urgent");
  CHECK(described(plan.value().entries[1]) == "home 2026-12-03 [x] Pay rent");
  CHECK(described(plan.value().entries[2]) == "inbox 2026-12-03 [ ] Read book");
  CHECK(plan.value().deleted_skipped == 1);

  SECTION("one object a line, as older Taskwarriors write") {
    auto lines = parse_import(
        "{\"description\":\"a\",\"status\":\"pending\",\"project\":\"p\"}\n"
        "{\"description\":\"b\",\"status\":\"completed\",\"project\":\"p\"}\n",
        std::nullopt, day("2026-12-03"));
    REQUIRE(lines.ok());
    CHECK(lines.value().entries.size() == 2);
  }
}

TEST_CASE("an import with anything wrong is refused whole, naming where") {
  const Date today = day("2026-12-03");
  const std::string good = export_line("alice", Entry{1, day("2018-12-19"), "Dentist", false});
  CHECK(rejection(parse_import(good + "\n{not json\n", std::nullopt, today))
            .starts_with("invalid argument: line 2: not JSON: "));
  CHECK(rejection(parse_import(good + "\n[1]\n", std::nullopt, today)) ==
        "invalid argument: line 2: not a JSON object");
  CHECK(rejection(
            parse_import(R"({"list":"a","date":"2026-02-30","title":"x"})", std::nullopt, today)) ==
        "invalid argument: line 1: invalid date '2026-02-30': no such day (expected YYYY-MM-DD)");
  CHECK(rejection(parse_import(R"({"list":"a","date":"2026-02-03"})", std::nullopt, today)) ==
        "invalid argument: line 1: no \"title\"");
  CHECK(rejection(parse_import(R"({"list":"","date":"2026-02-03","title":"x"})", std::nullopt,
                               today)) == "invalid argument: line 1: list name is empty");
  CHECK(
      rejection(parse_import(R"([{"description":"x","status":"pending"}])", std::nullopt, today)) ==
      "invalid argument: element 1: a task without a project needs --list LIST to go to");
  CHECK(rejection(parse_import(R"([{"description":"x","status":"pending","project":"p",)"
                               R"("due":"2026-12-04"}])",
                               std::nullopt, today)) ==
        "invalid argument: element 1: \"due\" '2026-12-04' is not a Taskwarrior date "
        "(YYYYMMDDTHHMMSSZ)");
  CHECK(rejection(parse_import("[1,", std::nullopt, today))
            .starts_with("invalid argument: the input is not a JSON array"));
  CHECK(parse_import("", std::nullopt, today).value().entries.empty());
}

}  // namespace
}  // namespace todo
