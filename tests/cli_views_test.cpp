// todo's views against a real todod: entries' filters (evaluated by the
// daemon), agenda, aligned ids, and colour on a terminal only.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <sstream>

#include "common/date_phrase.hpp"
#include "running_daemon.hpp"

namespace todo::testing {
namespace {

constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kOverdue = "\x1b[1;31m";

struct Fixture {
  DaemonPlace place;
  RunningDaemon daemon{place.data_dir(), place.endpoint()};
  Date today = local_today();

  Output todo(const std::vector<std::string>& args, const std::string& input = "") {
    return run_todo(place.endpoint(), args, input);
  }
  std::string ok(const std::vector<std::string>& args) {
    return testing::run_todo_ok(place.endpoint(), args);
  }
  // A date `days` from today, as YYYY-MM-DD.
  std::string in_days(int days) const { return today.plus_days(days).to_string(); }
  // todo ARGS run on a pseudo-terminal (util-linux script), with extra_env.
  Output on_terminal(const std::string& args, const std::map<std::string, std::string>& env) {
    ChildProcess script(
        "/usr/bin/script",
        {"-qec", testing::kTodoPath + " --endpoint " + place.endpoint() + " " + args, "/dev/null"},
        env);
    return script.finish();
  }
  // Buy milk 2018-12-18, Dentist 2018-12-19 (done), MILKshake with Ann
  // 2018-12-20, Gym 2018-12-21.
  void add_four() {
    REQUIRE(ok({"add", "v", "2018-12-18", "Buy", "milk"}) == "1\n");
    REQUIRE(ok({"add", "v", "2018-12-19", "Dentist"}) == "2\n");
    REQUIRE(ok({"add", "v", "2018-12-20", "MILKshake", "with", "Ann"}) == "3\n");
    REQUIRE(ok({"add", "v", "2018-12-21", "Gym"}) == "4\n");
    REQUIRE(ok({"done", "v", "2"}) == "2 2018-12-19 [x] Dentist\n");
  }
};

const std::string kMilk = "1 2018-12-18 [ ] Buy milk\n";
const std::string kDentist = "2 2018-12-19 [x] Dentist\n";
const std::string kShake = "3 2018-12-20 [ ] MILKshake with Ann\n";
const std::string kGym = "4 2018-12-21 [ ] Gym\n";

TEST_CASE_METHOD(Fixture, "entries --pending and --done", "[cli][views]") {
  add_four();
  CHECK(ok({"entries", "v"}) == kMilk + kDentist + kShake + kGym);
  CHECK(ok({"entries", "v", "--pending"}) == kMilk + kShake + kGym);
  CHECK(ok({"entries", "v", "--done"}) == kDentist);
  CHECK(ok({"entries", "v", "2018-12-19", "--pending"}).empty());
}

TEST_CASE_METHOD(Fixture, "entries --from and --to include both ends", "[cli][views]") {
  add_four();
  CHECK(ok({"entries", "v", "--from", "2018-12-19", "--to", "2018-12-20"}) == kDentist + kShake);
  CHECK(ok({"entries", "v", "--from=2018-12-20"}) == kShake + kGym);
  CHECK(ok({"entries", "v", "--to", "2018-12-19"}) == kMilk + kDentist);
  CHECK(ok({"entries", "v", "--from", "2018-12-21", "--to", "2018-12-21"}) == kGym);
}

TEST_CASE_METHOD(Fixture, "entries --from and --to take date phrases", "[cli][views]") {
  ok({"add", "p", in_days(-1), "Past"});
  ok({"add", "p", in_days(0), "Now"});
  ok({"add", "p", in_days(7), "Week"});
  ok({"add", "p", in_days(8), "Later"});
  CHECK(ok({"entries", "p", "--from", "today", "--to", "+7d"}) ==
        "2 " + in_days(0) + " [ ] Now\n3 " + in_days(7) + " [ ] Week\n");
  CHECK(ok({"entries", "p", "--to", "yesterday"}) == "1 " + in_days(-1) + " [ ] Past\n");
}

TEST_CASE_METHOD(Fixture, "entries --search ignores case", "[cli][views]") {
  add_four();
  CHECK(ok({"entries", "v", "--search", "milk"}) == kMilk + kShake);
  CHECK(ok({"entries", "v", "--search", "MILK"}) == kMilk + kShake);
  CHECK(ok({"entries", "v", "--search", "with ann"}) == kShake);
  CHECK(ok({"entries", "v", "--search", "nothing like it"}).empty());
  CHECK(ok({"--json", "entries", "v", "--search", "gym"}) ==
        "[{\"id\":4,\"date\":\"2018-12-21\",\"title\":\"Gym\",\"done\":false,\"tags\":[],\"list\":"
        "\"v\"}]\n");
}

TEST_CASE_METHOD(Fixture, "entries filters combine", "[cli][views]") {
  add_four();
  CHECK(ok({"entries", "v", "--pending", "--search", "milk", "--from", "2018-12-19"}) == kShake);
  CHECK(ok({"entries", "v", "--done", "--search", "milk"}).empty());
  CHECK(ok({"entries", "v", "--pending", "--to", "2018-12-20"}) == kMilk + kShake);
}

TEST_CASE_METHOD(Fixture, "a page of filtered entries holds up to limit matching entries",
                 "[cli][views]") {
  add_four();
  CHECK(ok({"entries", "v", "--pending", "--limit", "2"}) == kMilk + kShake);
  CHECK(ok({"entries", "v", "--pending", "--after", "3", "--limit", "2"}) == kGym);
  CHECK(ok({"entries", "v", "--pending", "--after", "1", "--limit", "1"}) == kShake);
  // --after alone reads every page.
  CHECK(ok({"entries", "v", "--pending", "--after", "1"}) == kShake + kGym);
}

TEST_CASE_METHOD(Fixture, "filtered entries are read across pages of 1000", "[cli][views]") {
  // 2100 entries, the odd ones done: 1050 pending, more than one page.
  std::string adds;
  for (int i = 1; i <= 2100; ++i) adds += "add big 2018-12-19 t" + std::to_string(i) + "\n";
  std::string dones;
  for (int i = 1; i <= 2100; i += 2) dones += "done big " + std::to_string(i) + "\n";
  REQUIRE(todo({"batch"}, adds).exit_code == 0);
  REQUIRE(todo({"batch"}, dones).exit_code == 0);
  std::istringstream pending(ok({"entries", "big", "--pending", "--after", "1"}));
  std::vector<std::string> ids;
  for (std::string line; std::getline(pending, line);) ids.push_back(line.substr(0, 4));
  REQUIRE(ids.size() == 1050);
  CHECK(ids.front() == "2   ");
  CHECK(ids[999] == "2000");
  CHECK(ids.back() == "2100");
  // t21, t210 to t219, t2100: ignoring the odd ones, done.
  CHECK(ok({"entries", "big", "--pending", "--search", "T21", "--after", "1"}) ==
        "210  2018-12-19 [ ] t210\n212  2018-12-19 [ ] t212\n214  2018-12-19 [ ] t214\n"
        "216  2018-12-19 [ ] t216\n218  2018-12-19 [ ] t218\n2100 2018-12-19 [ ] t2100\n");
}

TEST_CASE_METHOD(Fixture, "ids are padded to the widest id of the reply", "[cli][views]") {
  for (int i = 1; i <= 10; ++i) ok({"add", "w", "2018-12-19", "e" + std::to_string(i)});
  const std::string all = ok({"entries", "w"});
  CHECK_THAT(all, Catch::StartsWith("1  2018-12-19 [ ] e1\n2  2018-12-19"));
  CHECK_THAT(all, Catch::EndsWith("9  2018-12-19 [ ] e9\n10 2018-12-19 [ ] e10\n"));
  // A reply of one-digit ids only is as it always was.
  CHECK(ok({"entries", "w", "--limit", "2"}) == "1 2018-12-19 [ ] e1\n2 2018-12-19 [ ] e2\n");
  // In a batch a reply is one line: no padding.
  CHECK_THAT(todo({"batch"}, "entries w --after 8 --limit 2\n").out,
             Catch::Contains("9 2018-12-19 [ ] e9; 10 2018-12-19"));
}

TEST_CASE_METHOD(Fixture, "bad filters are refused before anything is sent", "[cli][views]") {
  const Output both = todo({"entries", "v", "--pending", "--done"});
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("--pending and --done cannot go together"));
  const Output backwards = todo({"entries", "v", "--from", "2018-12-20", "--to", "2018-12-19"});
  CHECK(backwards.exit_code == 1);
  CHECK_THAT(backwards.err, Catch::Contains("2018-12-20 is after 2018-12-19"));
  const Output bad_date = todo({"entries", "v", "--from", "someday"});
  CHECK(bad_date.exit_code == 1);
  CHECK_THAT(bad_date.err, Catch::Contains("someday"));
  const Output no_text = todo({"entries", "v", "--search"});
  CHECK(no_text.exit_code == 2);
  CHECK_THAT(no_text.err, Catch::Contains("--search needs a value"));
  const Output long_text = todo({"entries", "v", "--search", std::string(1025, 'a')});
  CHECK(long_text.exit_code == 1);
  CHECK_THAT(long_text.err, Catch::Contains("more than 1024"));
  const Output typo = todo({"entries", "v", "--pendin"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains("--pending"));
  for (const std::string days : {"x", "-1", "3661", "1.5"}) {
    INFO("--days " << days);
    const Output agenda = todo({"agenda", "--days=" + days});
    CHECK(agenda.exit_code == 2);
    CHECK_THAT(agenda.err, Catch::Contains("--days must be a whole number from 0 to 3660"));
  }
  CHECK(todo({"agenda", "extra"}).exit_code == 2);
  CHECK(todo({"--color=sometimes", "entries", "v"}).exit_code == 2);
}

// The weekday's English name, found without the code under test.
std::string weekday_of(Date date) {
  const char* names[] = {"Thursday", "Friday",  "Saturday", "Sunday",
                         "Monday",   "Tuesday", "Wednesday"};
  return names[((date.days_since_epoch() % 7) + 7) % 7];
}

struct AgendaFixture : Fixture {
  AgendaFixture() {
    ok({"add", "a", in_days(-1), "Late one"});    // a 1
    ok({"add", "a", in_days(-5), "Older"});       // a 2
    ok({"add", "bb", in_days(0), "Now"});         // bb 1
    ok({"add", "bb", in_days(0), "Done today"});  // bb 2
    ok({"done", "bb", "2"});
    ok({"add", "a", in_days(2), "Soon"});                                // a 3
    ok({"add", "bb", in_days(10), "Far"});                               // bb 3
    ok({"add", "c", in_days(1), "Tomorrow thing"});                      // c 1
    for (int i = 4; i <= 10; ++i) ok({"add", "a", in_days(30), "pad"});  // a 4..10
    ok({"add", "a", in_days(0), "Also now"});                            // a 11
  }
  std::string heading(int days) const {
    return in_days(days) + " " + weekday_of(today.plus_days(days));
  }
};

TEST_CASE_METHOD(AgendaFixture, "agenda: overdue first then each date under its heading",
                 "[cli][views]") {
  CHECK(ok({"agenda"}) ==
        "Overdue\n"
        "  a  2  " +
            in_days(-5) +
            " Older\n"
            "  a  1  " +
            in_days(-1) +
            " Late one\n"
            "\n" +
            heading(0) +
            " (today)\n"
            "  a  11 Also now\n"
            "  bb 1  Now\n"
            "\n" +
            heading(1) +
            " (tomorrow)\n"
            "  c  1  Tomorrow thing\n"
            "\n" +
            heading(2) +
            "\n"
            "  a  3  Soon\n");
}

TEST_CASE_METHOD(AgendaFixture, "agenda --days bounds the dates it reaches", "[cli][views]") {
  const std::string zero = ok({"agenda", "--days", "0"});
  CHECK_THAT(zero, Catch::Contains("Also now"));
  CHECK_THAT(zero, Catch::Contains("Older"));
  CHECK_THAT(zero, !Catch::Contains("Tomorrow thing"));
  const std::string one = ok({"agenda", "--days=1"});
  CHECK_THAT(one, Catch::Contains("Tomorrow thing"));
  CHECK_THAT(one, !Catch::Contains("Soon"));
  const std::string ten = ok({"agenda", "--days", "10"});
  CHECK_THAT(ten, Catch::EndsWith(heading(10) + "\n  bb 3  Far\n"));
  CHECK_THAT(ten, !Catch::Contains("pad"));
  CHECK_THAT(ten, !Catch::Contains("Done today"));
}

TEST_CASE_METHOD(Fixture, "agenda --tag keeps the entries that carry every tag named",
                 "[cli][views]") {
  const auto heading_of = [&](int days) {
    return in_days(days) + " " + weekday_of(today.plus_days(days));
  };
  ok({"add", "home", in_days(0), "Paint", "+house", "+weekend"});
  ok({"add", "home", in_days(1), "Sweep", "+house"});
  ok({"add", "work", in_days(-2), "Report", "+weekend"});
  ok({"add", "work", in_days(0), "Untagged"});
  CHECK(ok({"agenda", "--tag", "house"}) ==
        heading_of(0) + " (today)\n  home 1 Paint +house +weekend\n\n" + heading_of(1) +
            " (tomorrow)\n  home 2 Sweep +house\n");
  CHECK(ok({"agenda", "--tag=weekend", "--days", "0"}) ==
        "Overdue\n  work 1 " + in_days(-2) + " Report +weekend\n\n" + heading_of(0) +
            " (today)\n  home 1 Paint +house +weekend\n");
  CHECK(ok({"agenda", "--tag", "house,weekend"}) ==
        heading_of(0) + " (today)\n  home 1 Paint +house +weekend\n");
  CHECK(ok({"agenda", "--tag", "absent"}).empty());
  const Output bad = todo({"agenda", "--tag", "-x"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "todo: tag '-x' starts with '-': write the word without it\n");
  CHECK(todo({"agenda", "--tag"}).exit_code == 2);
}

TEST_CASE_METHOD(AgendaFixture, "agenda --json is one line per entry with its list",
                 "[cli][views]") {
  std::istringstream output(ok({"--json", "agenda"}));
  std::vector<std::string> seen;
  for (std::string line; std::getline(output, line);) {
    const boost::json::object entry = boost::json::parse(line).as_object();
    CHECK_FALSE(entry.at("done").as_bool());
    seen.push_back(std::string(entry.at("list").as_string()) + " " +
                   std::to_string(entry.at("id").as_int64()));
  }
  CHECK(seen == std::vector<std::string>{"a 2", "a 1", "a 11", "bb 1", "c 1", "a 3"});
}

TEST_CASE_METHOD(Fixture, "agenda with nothing pending prints nothing", "[cli][views]") {
  CHECK(ok({"agenda"}).empty());
  ok({"add", "x", in_days(0), "Gone"});
  ok({"done", "x", "1"});
  CHECK(ok({"agenda"}).empty());
}

TEST_CASE_METHOD(Fixture, "colour when asked for dims done entries and highlights overdue ones",
                 "[cli][views]") {
  ok({"add", "c", in_days(-1), "Late"});
  ok({"add", "c", in_days(0), "Done"});
  ok({"add", "c", in_days(0), "Today"});
  ok({"done", "c", "2"});
  const std::string colored = ok({"--color=always", "entries", "c"});
  CHECK(colored == std::string(kOverdue) + "1 " + in_days(-1) + " [ ] Late\x1b[0m\n" +
                       std::string(kDim) + "2 " + in_days(0) + " [x] Done\x1b[0m\n" + "3 " +
                       in_days(0) + " [ ] Today\n");
  CHECK_THAT(ok({"entries", "c", "--color", "always"}), Catch::Contains(std::string(kDim)));
  CHECK_THAT(ok({"--color=always", "agenda"}),
             Catch::Contains(std::string(kOverdue) + "  c 1 " + in_days(-1) + " Late\x1b[0m"));
  // Not on a pipe, and never when asked so.
  for (const std::vector<std::string>& args : {std::vector<std::string>{"entries", "c"},
                                               {"--color=never", "entries", "c"},
                                               {"--color=auto", "entries", "c"},
                                               {"agenda"}}) {
    CHECK(ok(args).find('\x1b') == std::string::npos);
  }
}

TEST_CASE_METHOD(Fixture, "on a terminal colour is on unless NO_COLOR or TERM=dumb says no",
                 "[cli][views]") {
  ok({"add", "c", in_days(0), "Done"});
  ok({"done", "c", "1"});
  const Output plain_env = on_terminal("entries c", {{"NO_COLOR", ""}, {"TERM", "xterm"}});
  INFO("script stderr: " << plain_env.err);
  REQUIRE(plain_env.exit_code == 0);
  CHECK_THAT(plain_env.out, Catch::Contains(std::string(kDim) + "1 " + in_days(0)));
  for (const auto& env : {std::map<std::string, std::string>{{"NO_COLOR", "1"}, {"TERM", "xterm"}},
                          std::map<std::string, std::string>{{"NO_COLOR", ""}, {"TERM", "dumb"}}}) {
    const Output plain = on_terminal("entries c", env);
    CHECK(plain.exit_code == 0);
    CHECK_THAT(plain.out, Catch::Contains("1 " + in_days(0) + " [x] Done"));
    CHECK(plain.out.find('\x1b') == std::string::npos);
  }
  const Output never =
      on_terminal("--color=never entries c", {{"NO_COLOR", ""}, {"TERM", "xterm"}});
  CHECK(never.out.find('\x1b') == std::string::npos);
}

}  // namespace
}  // namespace todo::testing
