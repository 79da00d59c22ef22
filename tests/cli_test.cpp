// The todo command against a real todod: every command in text and JSON,
// exit codes, batch, and concurrent clients.
#include <sys/socket.h>
#include <sys/un.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>
#include <zmq.hpp>

#include "cli/command_parser.hpp"
#include "common/date_phrase.hpp"
#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::DaemonPlace;
using testing::Output;
using testing::run_todo;
using testing::RunningDaemon;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) result.push_back(line);
  return result;
}

struct Fixture {
  DaemonPlace place;
  RunningDaemon daemon{place.data_dir(), place.endpoint()};

  Output todo(const std::vector<std::string>& args, const std::string& input = "") {
    return run_todo(place.endpoint(), args, input);
  }
  // Runs a command that must succeed; its stdout.
  std::string ok(const std::vector<std::string>& args) {
    return testing::run_todo_ok(place.endpoint(), args);
  }
};

TEST_CASE_METHOD(Fixture, "the book's scenario: alice's dentist, bob independent", "[cli]") {
  CHECK(ok({"add", "alice", "2018-12-19", "Dentist"}) == "1\n");
  CHECK(ok({"entries", "alice", "2018-12-19"}) == "1 2018-12-19 [ ] Dentist\n");
  CHECK(ok({"entries", "bob", "2018-12-19"}).empty());
  CHECK(ok({"add", "bob", "2018-12-19", "Gym"}) == "1\n");
  CHECK(ok({"entries", "alice"}) == "1 2018-12-19 [ ] Dentist\n");
}

TEST_CASE_METHOD(Fixture, "every command in text", "[cli]") {
  CHECK(ok({"add", "work", "2018-12-19", "Write", "the", "report"}) == "1\n");
  CHECK(ok({"add", "work", "2018-12-20", "Review"}) == "2\n");
  CHECK(ok({"add", "work", "2018-12-19", "Call", "Ann"}) == "3\n");
  CHECK(ok({"entries", "work"}) ==
        "1 2018-12-19 [ ] Write the report\n2 2018-12-20 [ ] Review\n3 2018-12-19 [ ] Call Ann\n");
  CHECK(ok({"entries", "work", "2018-12-19"}) ==
        "1 2018-12-19 [ ] Write the report\n3 2018-12-19 [ ] Call Ann\n");
  CHECK(ok({"update", "work", "2", "--date", "2018-12-21", "--title", "Review PR"}) ==
        "2 2018-12-21 [ ] Review PR\n");
  CHECK(ok({"update", "work", "2", "--title", "Review it"}) == "2 2018-12-21 [ ] Review it\n");
  CHECK(ok({"done", "work", "1"}) == "1 2018-12-19 [x] Write the report\n");
  CHECK(ok({"undone", "work", "1"}) == "1 2018-12-19 [ ] Write the report\n");
  CHECK(ok({"done", "work", "3"}) == "3 2018-12-19 [x] Call Ann\n");
  CHECK(ok({"delete", "work", "1"}) == "ok\n");
  CHECK(ok({"entries", "work"}) == "2 2018-12-21 [ ] Review it\n3 2018-12-19 [x] Call Ann\n");
  CHECK(ok({"add", "home", "2018-12-22", "Paint"}) == "1\n");
  CHECK(ok({"lists"}) == "home\nwork\n");
  CHECK(ok({"drop", "home", "--yes"}) == "ok\n");
  CHECK(ok({"lists"}) == "work\n");
  const std::string ping = ok({"ping"});
  CHECK_THAT(ping, Catch::StartsWith("todod "));
  CHECK_THAT(ping, Catch::Contains("lists in memory"));
  CHECK_THAT(ping, Catch::Contains("requests served"));
}

TEST_CASE_METHOD(Fixture, "every command in JSON", "[cli]") {
  CHECK(ok({"--json", "add", "work", "2018-12-19", "Say \"hi\"\tthere"}) == "{\"id\":1}\n");
  CHECK(ok({"--json", "entries", "work"}) ==
        "[{\"id\":1,\"date\":\"2018-12-19\",\"title\":\"Say \\\"hi\\\"\\tthere\",\"done\":"
        "false,\"tags\":[],\"list\":\"work\"}]\n");
  CHECK(ok({"--json", "entries", "work", "2018-12-20"}) == "[]\n");
  CHECK(ok({"--json", "update", "work", "1", "--title", "Hi"}) ==
        "{\"id\":1,\"date\":\"2018-12-19\",\"title\":\"Hi\",\"done\":false,\"tags\":[],\"list\":"
        "\"work\"}\n");
  CHECK(ok({"--json", "done", "work", "1"}) ==
        "{\"id\":1,\"date\":\"2018-12-19\",\"title\":\"Hi\",\"done\":true,\"tags\":[],\"list\":"
        "\"work\"}\n");
  CHECK(ok({"--json", "undone", "work", "1"}) ==
        "{\"id\":1,\"date\":\"2018-12-19\",\"title\":\"Hi\",\"done\":false,\"tags\":[],\"list\":"
        "\"work\"}\n");
  CHECK(ok({"--json", "show", "work", "1"}) ==
        "{\"id\":1,\"date\":\"2018-12-19\",\"title\":\"Hi\",\"done\":false,\"tags\":[],\"list\":"
        "\"work\"}\n");
  CHECK(ok({"--json", "lists"}) == "[\"work\"]\n");
  CHECK(ok({"--json", "add", "work", "2018-12-20", "Two"}) == "{\"id\":2}\n");
  CHECK(ok({"--json", "delete", "work", "1"}) == "{\"ok\":true}\n");
  CHECK(ok({"--json", "drop", "work", "--yes"}) == "{\"ok\":true}\n");
  CHECK(ok({"--json", "lists"}) == "[]\n");
  const std::string ping = ok({"--json", "ping"});
  CHECK_THAT(ping, Catch::StartsWith("{\"version\":\""));
  CHECK_THAT(ping, Catch::Contains("\"uptime_ms\":"));
  CHECK_THAT(ping, Catch::Contains("\"lists_in_memory\":"));
  CHECK_THAT(ping, Catch::Contains("\"requests_served\":"));
}

TEST_CASE_METHOD(Fixture, "today, tomorrow and yesterday are local dates", "[cli]") {
  const Date today = local_today();
  ok({"add", "days", "today", "a"});
  ok({"add", "days", "tomorrow", "b"});
  ok({"add", "days", "yesterday", "c"});
  CHECK(ok({"entries", "days"}) == "1 " + today.to_string() + " [ ] a\n2 " +
                                       today.plus_days(1).to_string() + " [ ] b\n3 " +
                                       today.plus_days(-1).to_string() + " [ ] c\n");
  CHECK(ok({"entries", "days", "tomorrow"}) == "2 " + today.plus_days(1).to_string() + " [ ] b\n");
}

TEST_CASE_METHOD(Fixture, "dates as people write them, and add without one", "[cli]") {
  const Date today = local_today();
  const auto on = [&](std::string_view phrase) {
    return parse_date_phrase(phrase, today).value().to_string();
  };
  CHECK(ok({"add", "alice", "Buy", "milk"}) == "1\n");
  CHECK(ok({"add", "alice", "Friday", "Dentist"}) == "2\n");
  CHECK(ok({"add", "alice", "next", "monday", "Gym"}) == "3\n");
  CHECK(ok({"add", "alice", "Rent", "--date=eom"}) == "4\n");
  // Further than any weekday phrase reaches, so that no day of the week
  // puts it on next friday.
  CHECK(ok({"add", "alice", "--date", "+20d", "today", "is", "a", "word"}) == "5\n");
  CHECK(ok({"entries", "alice"}) == "1 " + today.to_string() + " [ ] Buy milk\n2 " + on("friday") +
                                        " [ ] Dentist\n3 " + on("monday") + " [ ] Gym\n4 " +
                                        on("eom") + " [ ] Rent\n5 " + on("+20d") +
                                        " [ ] today is a word\n");
  CHECK(ok({"entries", "alice", "next", "friday"}) == "2 " + on("friday") + " [ ] Dentist\n");
  const Output bad = todo({"add", "alice", "--date", "someday", "x"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "todo: invalid date 'someday': a date is " + std::string(kDateForms) + "\n");
}

TEST_CASE_METHOD(Fixture, "show prints one entry, and no other in its place", "[cli]") {
  ok({"add", "work", "2018-12-19", "one"});
  ok({"add", "work", "2018-12-20", "two"});
  CHECK(ok({"show", "work", "2"}) == "2 2018-12-20 [ ] two\n");
  ok({"delete", "work", "1"});
  // The page above id 0 now starts at entry 2: not entry 1.
  const Output gone = todo({"show", "work", "1"});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err == "todo: no entry 1 in list 'work'\n");
  CHECK(gone.out.empty());
  const Output batch = todo({"batch"}, "show work 2\nshow work 3\n");
  CHECK(lines(batch.out) ==
        std::vector<std::string>{"2 2018-12-20 [ ] two", "error: no entry 3 in list 'work'"});
}

TEST_CASE_METHOD(Fixture, "todo's options work after the command and as --name=value", "[cli]") {
  ok({"add", "work", "2018-12-19", "one"});
  CHECK(ok({"lists", "--json"}) == "[\"work\"]\n");
  CHECK(ok({"entries", "work", "--timeout", "4000", "--json"}) ==
        "[{\"id\":1,\"date\":\"2018-12-19\",\"title\":\"one\",\"done\":false,\"tags\":[],\"list\":"
        "\"work\"}]\n");
  CHECK(ok({"--timeout=4000", "update", "work", "1", "--title=first", "--date=2018-12-20"}) ==
        "1 2018-12-20 [ ] first\n");
  // After --, an option's name is a title's word.
  CHECK(ok({"add", "work", "2018-12-19", "--", "--json", "is", "a", "flag"}) == "2\n");
  CHECK(ok({"show", "work", "2"}) == "2 2018-12-19 [ ] --json is a flag\n");
}

TEST_CASE_METHOD(Fixture, "with --json every error is JSON on stderr with its exit code", "[cli]") {
  const auto json_error = [&](const std::vector<std::string>& args, int exit_code,
                              const std::string& code) {
    const Output output = todo(args);
    INFO("stderr: " << output.err);
    CHECK(output.exit_code == exit_code);
    CHECK(output.out.empty());
    const boost::json::value error = boost::json::parse(output.err).at("error");
    CHECK(error.at("code").as_string() == code);
    CHECK_FALSE(error.at("message").as_string().empty());
  };
  json_error({"--json", "done", "bob", "7"}, 1, "not_found");
  json_error({"done", "bob", "7", "--json"}, 1, "not_found");
  json_error({"--json", "add", "bob", "2026-02-30", "x"}, 1, "invalid_argument");
  json_error({"--json", "frobnicate"}, 2, "usage");
  json_error({"--json", "--timeout", "soon", "ping"}, 2, "usage");
  json_error({"--json", "--endpont", "x", "ping"}, 2, "usage");
  json_error({"--json", "drop", "bob"}, 2, "usage");
  for (const auto& [endpoint, exit_code, code] :
       {std::tuple{"foo", 2, "usage"}, {"ipc:///nonexistent/todod.sock", 3, "unreachable"}}) {
    const Output output = run_todo(endpoint, {"ping", "--json"});
    INFO("stderr: " << output.err);
    CHECK(output.exit_code == exit_code);
    CHECK(boost::json::parse(output.err).at("error").at("code").as_string() == code);
  }
}

TEST_CASE("mistyped commands and options get a suggestion and exit 2", "[cli]") {
  DaemonPlace place;
  const Output command = run_todo(place.endpoint(), {"drp", "home"});
  CHECK(command.exit_code == 2);
  CHECK(command.err ==
        "todo: unknown command 'drp' (did you mean 'drop'?); todo help lists them\n");
  const Output global = run_todo(place.endpoint(), {"--endpont", "x", "ping"});
  CHECK(global.exit_code == 2);
  CHECK(global.err ==
        "todo: unknown option '--endpont' (did you mean '--endpoint'?) (try todo --help)\n");
  const Output after = run_todo(place.endpoint(), {"lists", "--jsn"});
  CHECK(after.exit_code == 2);
  CHECK(after.err ==
        "todo: unknown option '--jsn' (did you mean '--json'?); usage: lists "
        "[--after NAME] [--limit N]\n");
  const Output help = run_todo(place.endpoint(), {"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::StartsWith("todo: manage to-do lists kept by todod.\nUsage: todo ") &&
                           Catch::Contains("--timeout MS") && !Catch::Contains("INT:") &&
                           !Catch::Contains("[1 - "));
}

TEST_CASE_METHOD(Fixture, "export writes every entry and import adds them back", "[cli]") {
  ok({"add", "alice", "2018-12-19", "Dentist"});
  ok({"add", "alice", "2018-12-20", "Gym \"leg day\""});
  ok({"done", "alice", "2"});
  ok({"add", "bob", "2018-12-21", "Paint"});
  const std::string exported = ok({"export"});
  CHECK(exported ==
        "{\"id\":1,\"date\":\"2018-12-19\",\"title\":\"Dentist\",\"done\":false,\"tags\":[],"
        "\"list\":\"alice\"}\n"
        "{\"id\":2,\"date\":\"2018-12-20\",\"title\":\"Gym \\\"leg "
        "day\\\"\",\"done\":true,\"tags\":[],\"list\":"
        "\"alice\"}\n"
        "{\"id\":1,\"date\":\"2018-12-21\",\"title\":\"Paint\",\"done\":false,\"tags\":[],\"list\":"
        "\"bob\"}\n");
  CHECK(ok({"export", "bob"}) ==
        "{\"id\":1,\"date\":\"2018-12-21\",\"title\":\"Paint\",\"done\":false,\"tags\":[],\"list\":"
        "\"bob\"}\n");
  ok({"drop", "alice", "--yes"});
  ok({"drop", "bob", "--yes"});

  // A mistake on the last line sends nothing.
  const Output bad = todo({"import"}, exported + "{\"list\":\"x\"}\n");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "todo: nothing imported: line 4: no \"title\"\n");
  CHECK(ok({"lists"}).empty());

  const Output imported = todo({"import"}, exported);
  INFO(imported.err);
  CHECK(imported.exit_code == 0);
  CHECK(imported.out == "imported 3 entries into 2 lists\n");
  // The same entries, under new ids: a list's ids are never used twice.
  const auto without_ids = [](const std::string& lines) {
    return std::regex_replace(lines, std::regex(R"("id":[0-9]+,)"), "");
  };
  CHECK(without_ids(ok({"export"})) == without_ids(exported));
  CHECK(ok({"export", "alice"}).starts_with("{\"id\":3,"));
}

TEST_CASE_METHOD(Fixture, "import takes Taskwarrior's task export", "[cli]") {
  const std::string tasks =
      R"([{"description":"Call the plumber","due":"20181219T120000Z","status":"pending",)"
      R"("project":"home","tags":["phone"]},)"
      R"({"description":"Pay rent","due":"20181201T120000Z","status":"completed","project":"home"},)"
      R"({"description":"Old","status":"deleted","project":"home"},)"
      R"({"description":"Read","due":"20181225T120000Z","status":"pending"}])";
  const Output refused = todo({"import"}, tasks);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("element 4: a task without a project needs --list"));
  const Output imported = todo({"--json", "import", "--list", "inbox"}, tasks);
  INFO(imported.err);
  CHECK(imported.exit_code == 0);
  CHECK(imported.out == R"({"imported":3,"lists":2,"refused":0,"deleted_skipped":1})"
                        "\n");
  CHECK(ok({"entries", "home"}) ==
        "1 2018-12-19 [ ] Call the plumber +phone\n2 2018-12-01 [x] Pay rent\n");
  CHECK(ok({"entries", "inbox"}) == "1 2018-12-25 [ ] Read\n");
}

TEST_CASE_METHOD(Fixture, "refused requests exit 1 with a reason and change nothing", "[cli]") {
  ok({"add", "bob", "2020-01-01", "keep"});
  const std::string before = ok({"entries", "bob"});

  const auto refused = [&](const std::vector<std::string>& args, const std::string& reason) {
    Output output = todo(args);
    INFO("args: " << args[0] << " stderr: " << output.err);
    CHECK(output.exit_code == 1);
    CHECK_THAT(output.err, Catch::Contains(reason));
    CHECK(output.out.empty());
  };
  refused({"add", "bob", "2026-02-30", "x"}, "2026-02-30");
  refused({"add", "bob", "2026-13-01", "x"}, "2026-13-01");
  refused({"add", "bob", "2020-01-01", ""}, "title");
  refused({"add", "bob", "2020-01-01", "line\nbreak"}, "control character");
  refused({"add", "bad\x01name", "2020-01-01", "x"}, "list name");
  refused({"update", "bob", "7", "--title", "x"}, "no entry 7 in list 'bob'");
  refused({"update", "bob", "1", "--date", "2020-02-31"}, "2020-02-31");
  refused({"done", "bob", "7"}, "no entry 7");
  refused({"delete", "bob", "7"}, "no entry 7");
  refused({"add", std::string(300, 'n'), "2020-01-01", "x"}, "list name");
  CHECK(ok({"entries", "bob"}) == before);
  CHECK(ok({"add", "bob", "2020-01-02", "next"}) == "2\n");
}

TEST_CASE_METHOD(Fixture, "usage errors exit 2", "[cli]") {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"frobnicate"},
                                             {"add", "bob"},
                                             {"add", "bob", "2020-01-01"},
                                             {"update", "bob", "1"},
                                             {"update", "bob", "x", "--title", "t"},
                                             {"update", "bob", "1", "--colour", "red"},
                                             {"done", "bob"},
                                             {"delete", "bob", "0"},
                                             {"lists", "extra"},
                                             {"lists", "--limit", "0"},
                                             {"lists", "--limit", "1001"},
                                             {"lists", "--after"},
                                             {"--timeout", "soon", "ping"}}) {
    Output output = todo(args);
    INFO("args: " << (args.empty() ? "(none)" : args[0]) << " stderr: " << output.err);
    CHECK(output.exit_code == 2);
    CHECK_FALSE(output.err.empty());
  }
}

TEST_CASE_METHOD(Fixture, "batch: 10,000 pipelined commands answer in input order", "[cli]") {
  std::string input;
  for (int i = 1; i <= 10'000; ++i) {
    input += "add list-" + std::to_string(i % 7) + " 2021-06-01 task " + std::to_string(i) + "\n";
  }
  Output output = todo({"batch"}, input);
  INFO(output.err);
  REQUIRE(output.exit_code == 0);
  const auto out = lines(output.out);
  REQUIRE(out.size() == 10'000);
  // Each list hands out ids in the order its adds were sent.
  std::vector<int> next_id(7, 1);
  for (int i = 1; i <= 10'000; ++i) {
    REQUIRE(out[i - 1] == std::to_string(next_id[i % 7]++));
  }
  CHECK(ok({"entries", "list-3"}).find("task 3\n") != std::string::npos);
}

TEST_CASE_METHOD(Fixture, "batch goes on after a failure and reports it in place", "[cli]") {
  const std::string input =
      "add b 2021-01-01 first\n"
      "add b 2021-02-30 bad date\n"
      "entries b\n"
      "nonsense\n"
      "done b 9\n"
      "done b 1\n"
      "entries b\n";
  Output text = todo({"batch"}, input);
  CHECK(text.exit_code == 1);
  const auto out = lines(text.out);
  REQUIRE(out.size() == 7);
  CHECK(out[0] == "1");
  CHECK_THAT(out[1], Catch::StartsWith("error: ") && Catch::Contains("2021-02-30"));
  CHECK(out[2] == "1 2021-01-01 [ ] first");
  CHECK_THAT(out[3], Catch::StartsWith("error: ") && Catch::Contains("nonsense"));
  CHECK(out[4] == "error: no entry 9 in list 'b'");
  CHECK(out[5] == "1 2021-01-01 [x] first");
  CHECK(out[6] == "1 2021-01-01 [x] first");

  Output json = todo({"--json", "batch"},
                     "add j 2021-01-01 one\nadd j 2021-01-01 two\nentries j\ndelete j 5\n");
  CHECK(json.exit_code == 1);
  CHECK(lines(json.out) ==
        std::vector<std::string>{
            "{\"id\":1}", "{\"id\":2}",
            "[{\"id\":1,\"date\":\"2021-01-01\",\"title\":\"one\",\"done\":false,\"tags\":[],"
            "\"list\":"
            "\"j\"},{\"id\":2,\"date\":\"2021-01-01\",\"title\":\"two\",\"done\":false,\"tags\":[],"
            "\"list\":\"j\"}]",
            "{\"error\":{\"code\":\"not_found\",\"message\":\"no entry 5 in list 'j'\"}}"});
}

TEST_CASE_METHOD(Fixture, "batch skips blank lines and comments, printing nothing for them",
                 "[cli]") {
  const Output output = todo({"batch"},
                             "# groceries for the week\n"
                             "\n"
                             "add g 2021-01-01 milk\n"
                             "   \t\n"
                             "  # indented comment\n"
                             "add g 2021-01-01 #1 priority\n"
                             "entries g\n");
  CHECK(output.exit_code == 0);
  CHECK(lines(output.out) ==
        std::vector<std::string>{"1", "2", "1 2021-01-01 [ ] milk; 2 2021-01-01 [ ] #1 priority"});
  // Only comments: nothing to send, nothing printed, success.
  const Output only_comments = todo({"batch"}, "# nothing\n\n");
  CHECK(only_comments.exit_code == 0);
  CHECK(only_comments.out.empty());
}

TEST_CASE_METHOD(Fixture, "batch lines may quote words", "[cli]") {
  Output output =
      todo({"batch"}, "add q 2021-01-01 'two  spaces'\nupdate q 1 --title \"new title\"\n");
  REQUIRE(output.exit_code == 0);
  CHECK(lines(output.out) == std::vector<std::string>{"1", "1 2021-01-01 [ ] new title"});
}

TEST_CASE_METHOD(Fixture, "50 concurrent todo add processes get 50 distinct ids", "[cli]") {
  std::vector<std::unique_ptr<testing::ChildProcess>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_unique<testing::ChildProcess>(
        testing::kTodoPath,
        std::vector<std::string>{"--endpoint", place.endpoint(), "add", "shared", "2022-03-03",
                                 "entry " + std::to_string(i)}));
  }
  std::set<std::string> ids;
  for (auto& client : clients) {
    Output output = client->finish();
    INFO(output.err);
    REQUIRE(output.exit_code == 0);
    ids.insert(output.out);
  }
  CHECK(ids.size() == 50);
  const auto stored = lines(ok({"entries", "shared"}));
  CHECK(stored.size() == 50);
  CHECK_THAT(stored.back(), Catch::StartsWith("50 2022-03-03 [ ] entry "));
}

TEST_CASE_METHOD(Fixture, "--help after a command shows its usage and changes nothing", "[cli]") {
  REQUIRE(ok({"add", "home", "2018-12-19", "Paint"}) == "1\n");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"drop", "--help"},
                                             {"drop", "home", "--help"},
                                             {"drop", "-h"},
                                             {"add", "--help", "today", "x"},
                                             {"delete", "home", "1", "--help"},
                                             {"help", "drop"}}) {
    Output output = todo(args);
    INFO("args: " << args[0] << " " << args[1] << " stderr: " << output.err);
    CHECK(output.exit_code == 0);
    CHECK_THAT(output.out, Catch::StartsWith("usage: " + args[args[0] == "help" ? 1 : 0] + " "));
  }
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"drop", "--all"}, {"add", "-x", "today", "t"}}) {
    Output output = todo(args);
    CHECK(output.exit_code == 2);
    CHECK_THAT(output.err, Catch::Contains("not a list name"));
  }
  CHECK(ok({"lists"}) == "home\n");
  CHECK(ok({"entries", "home"}) == "1 2018-12-19 [ ] Paint\n");
  CHECK(ok({"entries", "--", "--help"}).empty());
  // A batch line that asks for help fails in place; the rest goes on.
  const Output batch = todo({"batch"}, "drop home --help\nentries home\n");
  CHECK(batch.exit_code == 1);
  CHECK(lines(batch.out) ==
        std::vector<std::string>{"error: help is not a batch command", "1 2018-12-19 [ ] Paint"});
  // `--` passes a list name that starts with '-'.
  CHECK(ok({"add", "--", "-odd", "2018-12-20", "x"}) == "1\n");
  CHECK(ok({"lists"}) == "-odd\nhome\n");
}

// `todo ARGS` run by script(1), so that its input is a terminal; the
// terminal's echo comes back on the output.
Output todo_on_a_terminal(const std::string& endpoint, const std::vector<std::string>& args,
                          const std::string& typed) {
  std::string command = "'" + testing::kTodoPath + "' --endpoint '" + endpoint + "'";
  for (const std::string& arg : args) command += " '" + arg + "'";
  testing::ChildProcess script("/usr/bin/script", {"-qec", command, "/dev/null"});
  return script.finish(typed, std::chrono::seconds(20));
}

TEST_CASE_METHOD(Fixture, "a drop asks on a terminal and wants --yes anywhere else", "[cli]") {
  REQUIRE(ok({"add", "home", "2018-12-19", "Paint"}) == "1\n");
  // Not a terminal: refused, nothing sent.
  const Output piped = todo({"drop", "home"});
  CHECK(piped.exit_code == 2);
  CHECK_THAT(piped.err, Catch::Contains("add --yes to confirm"));
  // In a batch, the line fails in place.
  const Output batch = todo({"batch"}, "drop home\nentries home\n");
  CHECK(batch.exit_code == 1);
  CHECK_THAT(batch.out, Catch::StartsWith("error: a drop in a batch needs --yes"));
  CHECK(ok({"entries", "home"}) == "1 2018-12-19 [ ] Paint\n");
  // On a terminal, anything but y or yes keeps the list.
  const Output declined = todo_on_a_terminal(place.endpoint(), {"drop", "home"}, "n\n");
  CHECK(declined.exit_code == 1);
  CHECK_THAT(declined.out, Catch::Contains("Drop list 'home' and every entry in it? [y/N]") &&
                               Catch::Contains("not dropped"));
  CHECK(ok({"entries", "home"}) == "1 2018-12-19 [ ] Paint\n");
  const Output accepted = todo_on_a_terminal(place.endpoint(), {"drop", "home"}, "Y\n");
  CHECK(accepted.exit_code == 0);
  CHECK(ok({"entries", "home"}).empty());
  // Nothing left: said, exit 1.
  const Output again = todo({"drop", "home", "--yes"});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("nothing to drop: list 'home' holds no entry"));
}

TEST_CASE_METHOD(Fixture, "lists comes in pages: all of them, or --limit N after a name", "[cli]") {
  // 2,500 lists: three of todod's pages of 1,000; and one emptied, not listed.
  std::ostringstream adds;
  for (int i = 0; i < 2500; ++i) adds << "add list-" << 10000 + i << " 2026-12-02 x\n";
  adds << "add emptied 2026-12-02 x\ndelete emptied 1\n";
  REQUIRE(todo({"batch"}, adds.str()).exit_code == 0);

  const std::vector<std::string> all = lines(ok({"lists"}));
  REQUIRE(all.size() == 2500);
  for (int i = 0; i < 2500; ++i) CHECK(all[i] == "list-" + std::to_string(10000 + i));
  CHECK(ok({"lists", "--limit", "2"}) == "list-10000\nlist-10001\n");
  CHECK(ok({"lists", "--after", "list-10001", "--limit", "2"}) == "list-10002\nlist-10003\n");
  // A name that is not stored starts the page where it would sort.
  CHECK(ok({"lists", "--after", "list-10001x", "--limit", "1"}) == "list-10002\n");
  CHECK(lines(ok({"lists", "--after", "list-11000"})).size() == 1499);
  CHECK(ok({"lists", "--after", "list-12499"}).empty());
  CHECK(ok({"--json", "lists", "--after", "list-12497"}) == "[\"list-12498\",\"list-12499\"]\n");
}

TEST_CASE_METHOD(Fixture, "entries come in pages with --limit, and --after alone reads them all",
                 "[cli]") {
  // 1,050 entries: --after alone crosses todod's pages of 1,000.
  std::ostringstream adds;
  for (int i = 1; i <= 1'050; ++i) {
    adds << "add big " << (i % 2 == 0 ? "2026-12-02" : "2026-12-03") << " e" << i << "\n";
  }
  REQUIRE(todo({"batch"}, adds.str()).exit_code == 0);
  CHECK(ok({"entries", "big", "--limit", "2"}) == "1 2026-12-03 [ ] e1\n2 2026-12-02 [ ] e2\n");
  CHECK(ok({"entries", "big", "--after", "2", "--limit", "1"}) == "3 2026-12-03 [ ] e3\n");
  CHECK(ok({"entries", "big", "2026-12-02", "--after", "2", "--limit", "2"}) ==
        "4 2026-12-02 [ ] e4\n6 2026-12-02 [ ] e6\n");
  const std::vector<std::string> rest = lines(ok({"entries", "big", "--after", "40"}));
  REQUIRE(rest.size() == 1'010);
  // Ids padded to the widest of the reply, 1050.
  CHECK(rest.front() == "41   2026-12-03 [ ] e41");
  CHECK(rest.back() == "1050 2026-12-02 [ ] e1050");
  CHECK(lines(ok({"entries", "big"})).size() == 1'050);
  CHECK(todo({"entries", "big", "--limit", "0"}).exit_code == 2);
  CHECK(todo({"entries", "big", "--after", "x"}).exit_code == 2);
}

TEST_CASE("a change sent to a server that does not answer has an unknown outcome", "[cli]") {
  // Takes the connection and the requests, and never answers.
  testing::TempDir dir;
  zmq::context_t context;
  zmq::socket_t silent(context, zmq::socket_type::router);
  silent.set(zmq::sockopt::linger, 0);
  const std::string endpoint = "ipc://" + (dir.path() / "silent.sock").string();
  silent.bind(endpoint);
  const Output add = run_todo(endpoint, {"--timeout", "300", "add", "home", "2026-12-02", "x"});
  const Output read = run_todo(endpoint, {"--timeout", "300", "entries", "home"});
  const Output batch =
      run_todo(endpoint, {"--timeout", "300", "batch"}, "add home 2026-12-02 y\nentries home\n");

  CHECK(add.exit_code == 4);
  CHECK_THAT(add.err, Catch::Contains("outcome unknown") && Catch::Contains("may or may not"));
  // A read changes nothing, whatever became of it.
  CHECK(read.exit_code == 3);
  CHECK(batch.exit_code == 4);
  const std::vector<std::string> batch_lines = lines(batch.out);
  REQUIRE(batch_lines.size() == 2);
  CHECK_THAT(batch_lines[0], Catch::StartsWith("error: outcome unknown"));
  CHECK(batch_lines[1] == "error: no reply from todod");
}

TEST_CASE_METHOD(Fixture, "a change that never reached todod is not an unknown outcome", "[cli]") {
  // Stopped, todod completes no handshake: nothing is handed to the connection.
  daemon.process().signal(SIGSTOP);
  const Output add = todo({"--timeout", "300", "add", "home", "2026-12-02", "x"});
  daemon.process().signal(SIGCONT);
  CHECK(add.exit_code == 3);
  CHECK_THAT(add.err, Catch::Contains("within 300 ms: todod is busy or stuck"));
  CHECK(ok({"entries", "home"}).empty());
}

TEST_CASE("help needs no daemon and lists every command", "[cli]") {
  DaemonPlace place;
  const Output all = run_todo(place.endpoint(), {"help"});
  CHECK(all.exit_code == 0);
  for (const char* verb : {"add", "entries", "update", "done", "undone", "delete", "undo", "lists",
                           "drop", "ping", "batch", "help"}) {
    CHECK_THAT(all.out, Catch::Contains(std::string("\n  ") + verb + " "));
  }
  const Output drop = run_todo(place.endpoint(), {"drop", "home", "--help"});
  CHECK(drop.exit_code == 0);
  CHECK_THAT(drop.out, Catch::StartsWith("usage: drop LIST [--yes]                 delete a "
                                         "whole list and its entries (undo\n"));
}

TEST_CASE("an endpoint ZeroMQ cannot parse is a usage error, not an unreachable todod", "[cli]") {
  for (const char* endpoint : {"foo", "tcp://", "ipc:/x", "tcp://127.0.0.1"}) {
    for (const char* command : {"ping", "batch"}) {
      Output output = run_todo(endpoint, {command}, "ping\n");
      INFO("endpoint " << endpoint << " " << command << " stderr: " << output.err);
      CHECK(output.exit_code == 2);
      CHECK_THAT(output.err, Catch::Contains(std::string("bad endpoint '") + endpoint + "'"));
    }
  }
}

TEST_CASE("todo with no daemon exits 3 at once, naming the endpoint", "[cli]") {
  DaemonPlace place;
  Output output = run_todo(place.endpoint(), {"ping"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains(place.endpoint()));
  CHECK_THAT(output.err, Catch::Contains("todod"));
  CHECK(output.elapsed < std::chrono::seconds(3));
}

TEST_CASE("a batch of lines that all fail to parse needs no daemon", "[cli]") {
  DaemonPlace place;
  Output output = run_todo(place.endpoint(), {"batch"}, "frobnicate\nadd x 2020-02-30 t\n");
  CHECK(output.exit_code == 1);
  CHECK(lines(output.out).size() == 2);
}

TEST_CASE("an oversized title fails its own batch line, before it is sent, and no other", "[cli]") {
  // Sent, 1.1 MB would make ZeroMQ drop the connection, and every request in
  // flight on it would be reported failed though todod may have stored it.
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  std::string input;
  for (int i = 0; i < 300; ++i) {
    input += i == 150 ? "add big today " + std::string(1'100'000, 'x') + "\n"
                      : "add big today entry " + std::to_string(i) + "\n";
  }
  const Output output = run_todo(place.endpoint(), {"batch"}, input);
  CHECK(output.exit_code == 1);
  const auto out = lines(output.out);
  REQUIRE(out.size() == 300);
  CHECK(out[150] == "error: title is 1100000 bytes, more than 4096");
  CHECK(testing::count_of(output.out, "error:") == 1);
  CHECK(lines(testing::run_todo_ok(place.endpoint(), {"entries", "big"})).size() == 299);
}

TEST_CASE("todo keeps to its timeout when todod's listen backlog is full", "[cli]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  daemon.process().signal(SIGSTOP);
  // Stopped before the connections below, or it would accept some of them.
  const std::string stat_file = "/proc/" + std::to_string(daemon.process().pid()) + "/stat";
  for (int i = 0; i < 1000; ++i) {
    std::ifstream stat(stat_file);
    std::string pid, command, state;
    stat >> pid >> command >> state;
    if (state == "T") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Connections nobody accepts, until the kernel refuses more.
  const std::string path = place.endpoint().substr(std::string("ipc://").size());
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  std::vector<int> waiting;
  for (int i = 0; i < 10'000; ++i) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      break;
    }
    waiting.push_back(fd);
  }
  INFO("connections waiting: " << waiting.size() << ", then " << std::strerror(errno));
  CHECK(errno == EAGAIN);
  const Output output =
      run_todo(place.endpoint(), {"--timeout", "1000", "ping"}, "", std::chrono::seconds(10));
  daemon.process().signal(SIGCONT);
  for (const int fd : waiting) ::close(fd);
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("1000 ms"));
  CHECK(output.elapsed < std::chrono::seconds(4));
}

TEST_CASE("todo with no daemon on tcp exits 3 within its timeout", "[cli]") {
  // A port on loopback nothing listens on: the kernel refuses, ZeroMQ retries.
  Output output = run_todo("tcp://127.0.0.1:9", {"--insecure-tcp", "--timeout", "400", "lists"});
  CHECK(output.exit_code == 3);
  CHECK_THAT(output.err, Catch::Contains("tcp://127.0.0.1:9"));
  CHECK_THAT(output.err, Catch::Contains("400 ms"));
  CHECK(output.elapsed < std::chrono::seconds(3));
}

}  // namespace
}  // namespace todo
