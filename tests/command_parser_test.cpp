// Tests for todo's command grammar (cli/command_parser.hpp) and for how its
// replies are shown (cli/reply_printer.hpp).
#include "cli/command_parser.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "cli/reply_printer.hpp"
#include "common/date_phrase.hpp"
#include "common/validation.hpp"
#include "day.hpp"
#include "describe.hpp"

namespace todo {
namespace {

using testing::describe;

using Kind = CliCommand::Kind;

using testing::day;

std::string kind_name(Kind kind) {
  switch (kind) {
    case Kind::add:
      return "add";
    case Kind::entries:
      return "entries";
    case Kind::show:
      return "show";
    case Kind::update:
      return "update";
    case Kind::done:
      return "done";
    case Kind::undone:
      return "undone";
    case Kind::erase:
      return "erase";
    case Kind::undo:
      return "undo";
    case Kind::rename:
      return "rename";
    case Kind::move:
      return "move";
    case Kind::lists:
      return "lists";
    case Kind::drop:
      return "drop";
    case Kind::ping:
      return "ping";
    case Kind::batch:
      return "batch";
    case Kind::help:
      return "help";
    case Kind::keygen:
      return "keygen";
    case Kind::export_entries:
      return "export";
    case Kind::import_entries:
      return "import";
    case Kind::token_add:
      return "token add";
    case Kind::token_list:
      return "token list";
    case Kind::token_revoke:
      return "token revoke";
    case Kind::backup:
      return "backup";
    case Kind::agenda:
      return "agenda";
  }
  return "?";
}

// todo's own options, as main gives them to the parser for suggestions.
const std::vector<std::string> kGlobalOptions = {"--endpoint", "--timeout", "--json"};

// "KIND: COMMAND" for a command that parses.
std::string parsed(const std::vector<std::string>& words, Date today = day("2024-02-28")) {
  CliCommand command;
  CommandError error;
  if (!CommandParser(today, kGlobalOptions).parse(words, command, error)) {
    FAIL("refused: " << error.message);
  }
  return kind_name(command.kind) + ": " + describe(command.command);
}

// The error of a command that does not parse.
CommandError refused(const std::vector<std::string>& words) {
  CliCommand command;
  CommandError error;
  error.is_usage = !error.is_usage;  // so that a parser that does not set it shows
  error.message = "untouched";
  const bool ok = CommandParser(day("2024-02-28"), kGlobalOptions).parse(words, command, error);
  if (ok) FAIL("parsed as " << kind_name(command.kind) << ": " << describe(command.command));
  return error;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += "<" + word + ">";
  return text;
}

// The words of a line that splits.
std::string split(std::string_view line) {
  std::vector<std::string> words{"stale"};
  if (!CommandParser::split_words(line, words)) FAIL("refused: " << line);
  return joined(words);
}

TEST_CASE("each command parses to its kind and request", "[command_parser]") {
  CHECK(parsed({"add", "bob", "2018-12-19", "Dentist"}) ==
        "add: list 'bob' add 2018-12-19 'Dentist'");
  CHECK(parsed({"entries", "bob"}) == "entries: list 'bob' get -");
  CHECK(parsed({"entries", "bob", "2018-12-19"}) == "entries: list 'bob' get 2018-12-19");
  CHECK(parsed({"show", "bob", "3"}) == "show: list 'bob' get - after 2 limit 1");
  CHECK(parsed({"update", "bob", "3", "--date", "2018-12-20"}) ==
        "update: list 'bob' update 3 date=2018-12-20 title=- done=-");
  CHECK(parsed({"update", "bob", "3", "--title", "Dentist at 9"}) ==
        "update: list 'bob' update 3 date=- title='Dentist at 9' done=-");
  CHECK(parsed({"update", "bob", "3", "--title", "x", "--date", "2018-12-20"}) ==
        "update: list 'bob' update 3 date=2018-12-20 title='x' done=-");
  CHECK(parsed({"done", "bob", "3"}) == "done: list 'bob' update 3 date=- title=- done=true");
  CHECK(parsed({"undone", "bob", "3"}) == "undone: list 'bob' update 3 date=- title=- done=false");
  CHECK(parsed({"delete", "bob", "18446744073709551615"}) ==
        "erase: list 'bob' delete 18446744073709551615");
  CHECK(parsed({"drop", "bob"}) == "drop: list 'bob' drop");
  CHECK(parsed({"undo", "bob"}) == "undo: list 'bob' undo");
  CHECK(parsed({"rename", "bob", "robert"}) == "rename: list 'bob' rename to 'robert'");
  CHECK(parsed({"move", "bob", "3", "alice"}) == "move: list 'bob' move 3 to 'alice'");
  CHECK(parsed({"lists"}) == "lists: list names");
  CHECK(parsed({"ping"}) == "ping: ping");
  CHECK(parsed({"batch"}).rfind("batch: ", 0) == 0);
}

TEST_CASE("drop takes --yes after the list name", "[command_parser]") {
  CliCommand command;
  CommandError error;
  const CommandParser parser(day("2026-12-02"));
  REQUIRE(parser.parse({"drop", "bob"}, command, error));
  CHECK_FALSE(command.is_confirmed);
  for (const char* yes : {"--yes", "-y"}) {
    REQUIRE(parser.parse({"drop", "bob", yes}, command, error));
    CHECK(command.is_confirmed);
    CHECK(std::get<ListCommand>(command.command).list == "bob");
  }
  // A list named --yes is still a list, after --.
  REQUIRE(parser.parse({"drop", "--", "--yes"}, command, error));
  CHECK_FALSE(command.is_confirmed);
  CHECK(std::get<ListCommand>(command.command).list == "--yes");
  CHECK_FALSE(parser.parse({"drop", "--yes", "bob"}, command, error));
  CHECK_FALSE(parser.parse({"drop", "bob", "--no"}, command, error));
}

TEST_CASE("batch takes --retry and nothing else", "[command_parser]") {
  CliCommand command;
  CommandError error;
  const CommandParser parser(testing::day("2026-12-02"));
  REQUIRE(parser.parse({"batch", "--retry"}, command, error));
  CHECK(command.kind == CliCommand::Kind::batch);
  CHECK(command.is_retrying);
  REQUIRE(parser.parse({"batch"}, command, error));
  CHECK_FALSE(command.is_retrying);
  CHECK_FALSE(parser.parse({"batch", "--again"}, command, error));
  CHECK(error.message == "usage: batch [--retry]");
}

TEST_CASE("keygen takes the file the secret key goes to, and nothing else", "[command_parser]") {
  CliCommand command;
  CommandError error;
  REQUIRE(CommandParser(day("2024-02-28")).parse({"keygen", "me.key"}, command, error));
  CHECK(command.kind == Kind::keygen);
  CHECK(command.key_file == "me.key");
  CHECK(refused({"keygen"}).is_usage);
  CHECK(refused({"keygen", "a", "b"}).message == "usage: keygen FILE");
}

TEST_CASE("backup takes a directory and --keep N", "[command_parser]") {
  CHECK(parsed({"backup", "/srv/b"}) == "backup: backup into '/srv/b' keep 0");
  CHECK(parsed({"backup", "b", "--keep", "3"}) == "backup: backup into 'b' keep 3");
  CHECK(parsed({"backup", "--keep=2", "b"}) == "backup: backup into 'b' keep 2");
  CHECK(parsed({"backup", "--", "-b"}) == "backup: backup into '-b' keep 0");
  CHECK(refused({"backup"}).message == "usage: backup DIR [--keep N]");
  CHECK(refused({"backup", "a", "b"}).message == "usage: backup DIR [--keep N]");
  CHECK(refused({"backup", "b", "--keep", "0"}).message ==
        "--keep must be a whole number of backups from 1, not '0'");
  CHECK(refused({"backup", "b", "--keep"}).is_usage);
  CHECK_THAT(refused({"backup", "b", "--kep", "2"}).message, Catch::Contains("--keep"));
  CHECK_FALSE(refused({"backup", std::string(5000, 'd')}).is_usage);
}

TEST_CASE("add joins the title words with single spaces", "[command_parser]") {
  CHECK(parsed({"add", "bob", "2018-12-19", "Dentist", "at", "nine"}) ==
        "add: list 'bob' add 2018-12-19 'Dentist at nine'");
  // Spacing inside one word is the user's: only the words are joined.
  CHECK(parsed({"add", "bob", "2018-12-19", "a  b", "c"}) ==
        "add: list 'bob' add 2018-12-19 'a  b c'");
  CHECK(parsed({"add", "bob", "2018-12-19", "--", "--title"}) ==
        "add: list 'bob' add 2018-12-19 '--title'");
}

TEST_CASE("add dates an entry today unless a date comes first or --date gives one",
          "[command_parser]") {
  // 2024-02-28 is a Wednesday.
  CHECK(parsed({"add", "bob", "Buy", "milk"}) == "add: list 'bob' add 2024-02-28 'Buy milk'");
  CHECK(parsed({"add", "bob", "Friday", "Dentist"}) == "add: list 'bob' add 2024-03-01 'Dentist'");
  CHECK(parsed({"add", "bob", "next", "monday", "Dentist"}) ==
        "add: list 'bob' add 2024-03-04 'Dentist'");
  CHECK(parsed({"add", "bob", "next", "steps", "first"}) ==
        "add: list 'bob' add 2024-02-28 'next steps first'");
  CHECK(parsed({"add", "bob", "+3d", "Dentist"}) == "add: list 'bob' add 2024-03-02 'Dentist'");
  CHECK(parsed({"add", "bob", "eom", "Rent"}) == "add: list 'bob' add 2024-02-29 'Rent'");
  CHECK(parsed({"add", "bob", "--date", "2018-12-19", "Dentist"}) ==
        "add: list 'bob' add 2018-12-19 'Dentist'");
  CHECK(parsed({"add", "bob", "Dentist", "--date", "next friday"}) ==
        "add: list 'bob' add 2024-03-01 'Dentist'");
  CHECK(parsed({"add", "bob", "--date=tomorrow", "Dentist"}) ==
        "add: list 'bob' add 2024-02-29 'Dentist'");
  // With --date, a first word that reads as a date is the title's.
  CHECK(parsed({"add", "bob", "--date", "friday", "today", "is", "the", "day"}) ==
        "add: list 'bob' add 2024-03-01 'today is the day'");
  CHECK(parsed({"add", "bob", "today", "--", "--date", "x"}) ==
        "add: list 'bob' add 2024-02-28 '--date x'");
  // After --, no word of the title is its date.
  CHECK(parsed({"add", "bob", "--", "friday", "standup"}) ==
        "add: list 'bob' add 2024-02-28 'friday standup'");
  CHECK(parsed({"add", "bob", "--", "12/25", "party"}) ==
        "add: list 'bob' add 2024-02-28 '12/25 party'");
  CHECK(parsed({"add", "bob", "next", "--", "monday"}) ==
        "add: list 'bob' add 2024-02-28 'next monday'");
  // A weekday's three letters are a title's, but for --date.
  CHECK(parsed({"add", "bob", "Sun", "cream"}) == "add: list 'bob' add 2024-02-28 'Sun cream'");
  CHECK(parsed({"add", "bob", "Sat", "nav"}) == "add: list 'bob' add 2024-02-28 'Sat nav'");
  CHECK(parsed({"add", "bob", "--date", "sun", "cream"}) ==
        "add: list 'bob' add 2024-03-03 'cream'");
  CHECK(parsed({"add", "bob", "next", "sun", "cream"}) == "add: list 'bob' add 2024-03-03 'cream'");

  SECTION("a first word meant as a date that is not one is refused, not taken as the title") {
    const CommandError error = refused({"add", "bob", "2024-13-01", "x"});
    CHECK_FALSE(error.is_usage);
    CHECK(error.message ==
          "invalid date '2024-13-01': no such month (expected YYYY-MM-DD) (for a title that "
          "starts so, give --date D, or put -- before it)");
    CHECK(refused({"add", "bob", "12/25", "x"}).message ==
          "invalid date '12/25': a date is " + std::string(kDateForms) +
              " (for a title that starts so, give --date D, or put -- before it)");
  }
  SECTION("a title is still needed, and --date a value") {
    CHECK(refused({"add", "bob", "today"}).message ==
          "add needs a TITLE; usage: add LIST [DATE] TITLE... [+TAG]... [--date D]");
    CHECK(refused({"add", "bob", "--date", "friday"}).message ==
          "add needs a TITLE; usage: add LIST [DATE] TITLE... [+TAG]... [--date D]");
    CHECK(refused({"add", "bob", "x", "--date"}).message ==
          "--date needs a value; usage: add LIST [DATE] TITLE... [+TAG]... [--date D]");
    CHECK(refused({"add", "bob", "x", "--date", "someday"}).message ==
          "invalid date 'someday': a date is " + std::string(kDateForms));
  }
}

TEST_CASE("options may be written --name=value", "[command_parser]") {
  CHECK(parsed({"update", "bob", "3", "--title=Dentist at 9", "--date=2018-12-20"}) ==
        "update: list 'bob' update 3 date=2018-12-20 title='Dentist at 9' done=-");
  CHECK(parsed({"update", "bob", "3", "--title=a=b"}) ==
        "update: list 'bob' update 3 date=- title='a=b' done=-");
  CHECK(refused({"update", "bob", "3", "--title="}).message == "title is empty");
  CHECK(parsed({"entries", "bob", "--after=4", "--limit=2"}) ==
        "entries: list 'bob' get - after 4 limit 2");
  CHECK(parsed({"add", "bob", "today", "--", "--date=x"}) ==
        "add: list 'bob' add 2024-02-28 '--date=x'");
  CliCommand command;
  CommandError error;
  REQUIRE(CommandParser(day("2024-02-28"))
              .parse({"token", "add", "phone", "--lists=alice/*", "--read-only"}, command, error));
  CHECK(command.kind == Kind::token_add);
}

TEST_CASE("an unknown command or option gets a suggestion when one is close", "[command_parser]") {
  CHECK(refused({"drp", "bob"}).message ==
        "unknown command 'drp' (did you mean 'drop'?); todo help lists them");
  CHECK(refused({"entires", "bob"}).message ==
        "unknown command 'entires' (did you mean 'entries'?); todo help lists them");
  CHECK(refused({"ADD", "bob", "x"}).message ==
        "unknown command 'ADD' (did you mean 'add'?); todo help lists them");
  CHECK(refused({"frobnicate"}).message == "unknown command 'frobnicate'; todo help lists them");
  CHECK(refused({"entries", "bob", "--limt", "5"}).message ==
        "unknown option '--limt' (did you mean '--limit'?); usage: entries LIST [DATE] "
        "[--pending|--done] [--from D] [--to D] [--search TEXT] [--tag T]... [--after ID] [--limit "
        "N]");
  CHECK(refused({"update", "bob", "1", "--titel", "x"}).message ==
        "unknown option '--titel' (did you mean '--title'?); usage: update LIST ID [--date D] "
        "[--title T] [--tag T]... [--untag T]...");
  CHECK(refused({"add", "bob", "x", "--dat", "friday"}).message ==
        "unknown option '--dat' (did you mean '--date'?); usage: add LIST [DATE] TITLE... "
        "[+TAG]... [--date D]");
  CHECK(refused({"lists", "--jsn"}).message ==
        "unknown option '--jsn' (did you mean '--json'?); usage: lists [--after NAME] [--limit N]");
  CHECK(refused({"lists", "--verbose"}).message ==
        "unknown option '--verbose'; usage: lists [--after NAME] [--limit N]");
}

TEST_CASE("entries takes filters that go to the daemon", "[command_parser]") {
  CHECK(parsed({"entries", "bob", "--pending"}) ==
        "entries: list 'bob' get - filter done=pending from=- to=- search=''");
  CHECK(parsed({"entries", "bob", "--done", "--done"}) ==
        "entries: list 'bob' get - filter done=done from=- to=- search=''");
  CHECK(parsed({"entries", "bob", "--from", "today", "--to=+7d"}) ==
        "entries: list 'bob' get - filter done=any from=2024-02-28 to=2024-03-06 search=''");
  CHECK(parsed({"entries", "bob", "2018-12-19", "--search", "Milk Shake", "--limit", "5"}) ==
        "entries: list 'bob' get 2018-12-19 after 0 limit 5 filter done=any from=- to=- "
        "search='Milk Shake'");
  // Without a filter option, the read of before.
  CHECK(parsed({"entries", "bob", "--limit", "5"}) == "entries: list 'bob' get - after 0 limit 5");
  const CommandError both = refused({"entries", "bob", "--pending", "--done"});
  CHECK(both.is_usage);
  CHECK_THAT(both.message, Catch::StartsWith("--pending and --done cannot go together"));
  const CommandError backwards = refused({"entries", "bob", "--from", "+1d", "--to", "today"});
  CHECK_FALSE(backwards.is_usage);
  CHECK(backwards.message == "the range of dates is empty: 2024-02-29 is after 2024-02-28");
  CHECK(refused({"entries", "bob", "--to"}).is_usage);
}

TEST_CASE("agenda takes --days from 0 to 3660", "[command_parser]") {
  CliCommand command;
  CommandError error;
  const CommandParser parser(day("2024-02-28"), kGlobalOptions);
  REQUIRE(parser.parse({"agenda"}, command, error));
  CHECK(command.kind == Kind::agenda);
  CHECK(command.agenda_days == 7);
  REQUIRE(parser.parse({"agenda", "--days=0"}, command, error));
  CHECK(command.agenda_days == 0);
  REQUIRE(parser.parse({"agenda", "--days", "3660"}, command, error));
  CHECK(command.agenda_days == 3660);
  CHECK(refused({"agenda", "--days", "3661"}).is_usage);
  CHECK(refused({"agenda", "--days"}).is_usage);
  CHECK(refused({"agenda", "--dyas", "3"})
            .message.starts_with("unknown option '--dyas' (did you mean '--days'?)"));
}

TEST_CASE("show takes a list and an entry's id", "[command_parser]") {
  CHECK(refused({"show", "bob"}).message == "usage: show LIST ID");
  CHECK(refused({"show", "bob", "0"}).is_usage);
  const CommandError by_date = refused({"entries", "bob", "3"});
  CHECK_FALSE(by_date.is_usage);
  CHECK(by_date.message == "invalid date '3': a date is " + std::string(kDateForms) +
                               " (to see entry 3: todo show bob 3)");
}

TEST_CASE("today, tomorrow and yesterday are relative to the given date", "[command_parser]") {
  CHECK(parsed({"add", "bob", "today", "x"}, day("2024-02-28")) ==
        "add: list 'bob' add 2024-02-28 'x'");
  CHECK(parsed({"add", "bob", "tomorrow", "x"}, day("2024-02-28")) ==
        "add: list 'bob' add 2024-02-29 'x'");
  CHECK(parsed({"add", "bob", "yesterday", "x"}, day("2024-03-01")) ==
        "add: list 'bob' add 2024-02-29 'x'");
  CHECK(parsed({"add", "bob", "tomorrow", "x"}, day("2023-12-31")) ==
        "add: list 'bob' add 2024-01-01 'x'");
  CHECK(parsed({"entries", "bob", "yesterday"}, day("2024-03-01")) ==
        "entries: list 'bob' get 2024-02-29");
  CHECK(parsed({"entries", "bob", "today"}, day("2024-03-01")) ==
        "entries: list 'bob' get 2024-03-01");
  CHECK(parsed({"entries", "bob", "next", "monday"}, day("2024-03-01")) ==
        "entries: list 'bob' get 2024-03-04");
  CHECK(parsed({"update", "bob", "1", "--date", "tomorrow"}, day("2024-02-28")) ==
        "update: list 'bob' update 1 date=2024-02-29 title=- done=-");
}

TEST_CASE("a title or list name todod would refuse is refused before it is sent",
          "[command_parser]") {
  const std::string too_long(kMaxTitleBytes + 1, 'x');
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"add", "bob", "2024-01-02", too_long},
           {"update", "bob", "1", "--title", too_long},
       }) {
    const CommandError error = refused(words);
    CHECK_FALSE(error.is_usage);
    CHECK(error.message == "title is 4097 bytes, more than 4096");
  }
  CHECK(refused({"add", "bob", "2024-01-02",
                 "a\x01"
                 "b"})
            .message == "title contains control character U+0001 at byte 1");
  CHECK(refused({"entries", "a\nb"}).message ==
        "list name contains control character U+000A at byte 1");
  CHECK(refused({"drop", std::string(kMaxListNameBytes + 1, 'n')}).message ==
        "list name is 256 bytes, more than 255");
  CHECK(parsed({"add", "bob", "2024-01-02", std::string(kMaxTitleBytes, 'x')}).size() > 4096);
}

TEST_CASE("an invalid date is not a usage error and names the text", "[command_parser]") {
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"add", "bob", "2023-02-29", "x"},
           {"entries", "bob", "2023-02-29"},
           {"update", "bob", "1", "--date", "2023-02-29"},
       }) {
    INFO(joined(words));
    const CommandError error = refused(words);
    CHECK_FALSE(error.is_usage);
    CHECK_THAT(error.message, Catch::Contains("2023-02-29"));
  }
  for (const std::string text : {"2024-2-28", "28.02.2024", "2024-13-01", "+3x"}) {
    INFO("date '" << text << "'");
    const CommandError error = refused({"add", "bob", text, "x"});
    CHECK_FALSE(error.is_usage);
    CHECK_THAT(error.message, Catch::Contains("invalid date"));
    if (!text.empty()) CHECK_THAT(error.message, Catch::Contains(text));
  }
}

TEST_CASE("commands that do not follow the grammar are usage errors", "[command_parser]") {
  const std::vector<std::vector<std::string>> cases = {
      // missing or extra arguments
      {},
      {"add"},
      {"add", "bob"},
      {"add", "bob", "2018-12-19"},
      {"entries"},
      {"entries", "bob", "2018-12-19", "extra"},
      {"update"},
      {"update", "bob"},
      {"done", "bob"},
      {"done", "bob", "1", "2"},
      {"rename", "bob"},
      {"rename", "bob", "a", "b"},
      {"move", "bob", "1"},
      {"move", "bob", "x", "alice"},
      {"move", "bob", "1", "alice", "more"},
      {"undone"},
      {"delete", "bob"},
      {"delete", "bob", "1", "2"},
      {"drop"},
      {"drop", "bob", "alice"},
      {"lists", "bob"},
      {"ping", "now"},
      {"batch", "file"},
      // ids that are not positive whole numbers
      {"done", "bob", "abc"},
      {"done", "bob", "0"},
      {"undone", "bob", "-1"},
      {"delete", "bob", "1x"},
      {"delete", "bob", ""},
      {"delete", "bob", "+1"},
      {"delete", "bob", "18446744073709551616"},
      {"update", "bob", "x1", "--title", "t"},
      // update without a change, with an unknown option, with an option lacking its value
      {"update", "bob", "1"},
      {"update", "bob", "1", "--done", "yes"},
      {"update", "bob", "1", "--title"},
      {"update", "bob", "1", "--date"},
      {"update", "bob", "1", "--title", "t", "--date"},
      {"update", "bob", "1", "title", "t"},
      // unknown commands
      {"frobnicate"},
      {"ADD", "bob", "2018-12-19", "x"},
  };
  for (const auto& words : cases) {
    INFO(joined(words));
    const CommandError error = refused(words);
    CHECK(error.is_usage);
    CHECK_FALSE(error.message.empty());
    CHECK(error.message != "untouched");
  }
}

TEST_CASE("usage errors say what is wrong", "[command_parser]") {
  CHECK_THAT(refused({"frobnicate"}).message, Catch::Contains("unknown command 'frobnicate'"));
  CHECK_THAT(refused({"done", "bob", "abc"}).message, Catch::Contains("'abc'"));
  CHECK_THAT(refused({"done", "bob", "0"}).message, Catch::Contains("positive"));
  CHECK_THAT(refused({"update", "bob", "1"}).message,
             Catch::Contains("--date, --title, --tag or --untag"));
  CHECK_THAT(refused({"update", "bob", "1", "--done", "yes"}).message,
             Catch::Contains("unknown option '--done'"));
  CHECK_THAT(refused({"update", "bob", "1", "--title"}).message,
             Catch::Contains("--title needs a value"));
  CHECK_THAT(refused({"add", "bob"}).message, Catch::Contains("add LIST [DATE] TITLE..."));
  CHECK_THAT(refused({}).message, Catch::Contains("no command"));
}

// The topic of a command that parses as a request for help.
std::string help_topic(const std::vector<std::string>& words) {
  CliCommand command;
  CommandError error;
  if (!CommandParser(day("2024-02-28")).parse(words, command, error)) {
    FAIL("refused: " << error.message);
  }
  if (command.kind != Kind::help) FAIL("parsed as " << kind_name(command.kind));
  return command.help_topic.empty() ? "(all)" : command.help_topic;
}

TEST_CASE("--help or -h after any command asks for its usage, never for the command",
          "[command_parser]") {
  CHECK(help_topic({"drop", "--help"}) == "drop");
  CHECK(help_topic({"drop", "home", "--help"}) == "drop");
  CHECK(help_topic({"add", "--help", "today", "x"}) == "add");
  CHECK(help_topic({"add", "bob", "today", "Buy", "milk", "-h"}) == "add");
  CHECK(help_topic({"update", "bob", "1", "--title", "--help"}) == "update");
  CHECK(help_topic({"lists", "-h"}) == "lists");
  CHECK(help_topic({"batch", "--help"}) == "batch");
  CHECK(help_topic({"help"}) == "(all)");
  CHECK(help_topic({"help", "drop"}) == "drop");
  CHECK(help_topic({"help", "-h"}) == "help");
  CHECK(help_topic({"help", "--help"}) == "help");
  CHECK(refused({"help", "frobnicate"}).message == "unknown command 'frobnicate' (try todo help)");
  CHECK(refused({"help", "drop", "add"}).message == "usage: help [COMMAND]");
}

TEST_CASE("a word starting with '-' is never a list name unless -- comes before it",
          "[command_parser]") {
  for (const std::vector<std::string>& words :
       std::vector<std::vector<std::string>>{{"drop", "--all"},
                                             {"drop", "-f"},
                                             {"add", "-x", "today", "t"},
                                             {"entries", "--pending"},
                                             {"done", "-1", "2"},
                                             {"delete", "--yes", "1"},
                                             {"update", "--title", "1", "--title", "x"},
                                             {"rename", "bob", "--yes"},
                                             {"move", "bob", "1", "-f"}}) {
    INFO(joined(words));
    const CommandError error = refused(words);
    CHECK(error.is_usage);
    CHECK_THAT(error.message, Catch::Contains("is an option, not a list name") &&
                                  Catch::Contains("put -- before it"));
  }
  CHECK(parsed({"drop", "--", "--help"}) == "drop: list '--help' drop");
  CHECK(parsed({"drop", "--", "-old"}) == "drop: list '-old' drop");
  CHECK(parsed({"rename", "bob", "--", "-old"}) == "rename: list 'bob' rename to '-old'");
  CHECK(parsed({"move", "bob", "1", "--", "-old"}) == "move: list 'bob' move 1 to '-old'");
  // After --, --help and -h are words like any other.
  CHECK(parsed({"add", "bob", "today", "--", "-h", "is", "the", "flag"}) ==
        "add: list 'bob' add 2024-02-28 '-h is the flag'");
}

TEST_CASE("the usage of every command is known, and all of them together", "[command_parser]") {
  CHECK_THAT(command_usage("drop"),
             Catch::StartsWith("usage: drop LIST [--yes]                 delete a whole list"));
  const std::string all = command_usage("");
  for (const char* verb :
       {"add", "entries", "update", "done", "undone", "delete", "lists", "drop", "ping", "batch"}) {
    CHECK_THAT(command_usage(verb), Catch::StartsWith(std::string("usage: ") + verb));
    CHECK_THAT(all, Catch::Contains(std::string("\n  ") + verb));
  }
}

TEST_CASE("split_words splits a line as a shell would", "[command_parser]") {
  SECTION("whitespace separates") {
    CHECK(split("add bob today Dentist") == "<add><bob><today><Dentist>");
    CHECK(split("  add \t bob\ttoday   Dentist  ") == "<add><bob><today><Dentist>");
    CHECK(split("ping\r") == "<ping>");
  }
  SECTION("an empty line gives no words") {
    CHECK(split("") == "");
    CHECK(split("   \t  ") == "");
  }
  SECTION("single quotes keep everything literally") {
    CHECK(split("add bob today 'Dentist at 9'") == "<add><bob><today><Dentist at 9>");
    CHECK(split(R"('say "hi"')") == R"(<say "hi">)");
    CHECK(split(R"('a\b')") == R"(<a\b>)");
  }
  SECTION("double quotes keep spaces and let backslash escape") {
    CHECK(split(R"("Dentist at 9" x)") == "<Dentist at 9><x>");
    CHECK(split(R"("it's")") == "<it's>");
    CHECK(split(R"("say \"hi\"")") == R"(<say "hi">)");
    CHECK(split(R"("a\\b")") == R"(<a\b>)");
  }
  SECTION("quotes join with what touches them") {
    CHECK(split(R"(a"b c"d 'e')") == "<ab cd><e>");
    CHECK(split(R"(x '' "")") == "<x><><>");
  }
  SECTION("backslash escapes outside quotes") {
    CHECK(split(R"(a\ b c)") == "<a b><c>");
    CHECK(split(R"(\'x \"y \\z)") == R"(<'x><"y><\z>)");
  }
  SECTION("an unclosed quote is refused") {
    std::vector<std::string> words;
    CHECK_FALSE(CommandParser::split_words("add bob today 'Dentist", words));
    CHECK_FALSE(CommandParser::split_words(R"(add "bob)", words));
    CHECK_FALSE(CommandParser::split_words(R"("a\")", words));
    CHECK_FALSE(CommandParser::split_words("'", words));
  }
}

const Entry kOpen{1, Date::parse("2024-02-28").value(), "Dentist", false};
const PingInfo kPing{"1.2.3", 12'345, 3, 40, 5, 2, 6, 7, 1, 8, 950, 21'495'808};
const Entry kDone{2, Date::parse("2024-02-29").value(), "Gym \"leg day\"", true};

Reply ok(ReplyPayload payload) { return Reply{1, StatusCode::ok, "", std::move(payload)}; }

std::string text(Kind kind, const Reply& reply, bool is_one_line = false) {
  return ReplyPrinter(false, is_one_line).format(kind, reply);
}

std::string json(Kind kind, const Reply& reply, bool is_one_line = false) {
  return ReplyPrinter(true, is_one_line).format(kind, reply);
}

TEST_CASE("replies as text", "[reply_printer]") {
  CHECK(text(Kind::add, ok(EntryId{7})) == "7");
  CHECK(text(Kind::entries, ok(std::vector<Entry>{kOpen, kDone})) ==
        "1 2024-02-28 [ ] Dentist\n2 2024-02-29 [x] Gym \"leg day\"");
  CHECK(text(Kind::entries, ok(std::vector<Entry>{kOpen})) == "1 2024-02-28 [ ] Dentist");
  CHECK(text(Kind::entries, ok(std::vector<Entry>{})) == "");
  CHECK(text(Kind::update, ok(kOpen)) == "1 2024-02-28 [ ] Dentist");
  CHECK(text(Kind::done, ok(kDone)) == "2 2024-02-29 [x] Gym \"leg day\"");
  CHECK(text(Kind::undone, ok(kOpen)) == "1 2024-02-28 [ ] Dentist");
  CHECK(text(Kind::show, ok(kOpen)) == "1 2024-02-28 [ ] Dentist");
  CHECK(text(Kind::erase, ok(std::monostate{})) == "ok");
  CHECK(text(Kind::drop, ok(std::monostate{})) == "ok");
  CHECK(text(Kind::lists, ok(std::vector<std::string>{"alice", "bob"})) == "alice\nbob");
  CHECK(text(Kind::lists, ok(std::vector<std::string>{})) == "");
  CHECK(text(Kind::ping, ok(kPing)) ==
        "todod 1.2.3, up 12 s, 3 lists in memory, 40 requests served, 5 errors (2 busy), "
        "6 database batches of 7 writes, 1 actor restarts, 8 lists expired, "
        "p99 latency 950 us, 20.5 MiB resident");
  PingInfo early = kPing;
  early.p99_latency_us = 0;
  CHECK_THAT(text(Kind::ping, ok(early)),
             Catch::Contains(", p99 latency not known before 100 requests, 20.5 MiB resident"));
  PingInfo degraded = kPing;
  degraded.degraded = "takes no changes until it is reopened, after: no space";
  CHECK_THAT(text(Kind::ping, ok(degraded)),
             Catch::EndsWith(" MiB resident\ndegraded: the database takes no changes until it is "
                             "reopened, after: no space"));
  CHECK(text(Kind::backup, ok(BackupMade{3, 3 * 1048576 / 2, 7, 1})) ==
        "backup 3 made: 1.5 MiB in 7 files; the directory keeps 1 backup");
  CHECK(json(Kind::backup, ok(BackupMade{3, 1500, 7, 2})) ==
        R"({"id":3,"bytes":1500,"files":7,"backups_kept":2})");
}

TEST_CASE("ids are padded after to the widest id of the reply", "[reply_printer]") {
  const Entry nine{9, day("2024-02-28"), "Nine", false};
  const Entry ten{10, day("2024-02-29"), "Ten", true};
  CHECK(text(Kind::entries, ok(std::vector<Entry>{nine, ten})) ==
        "9  2024-02-28 [ ] Nine\n10 2024-02-29 [x] Ten");
  CHECK(text(Kind::entries, ok(std::vector<Entry>{nine, ten}), true) ==
        "9 2024-02-28 [ ] Nine; 10 2024-02-29 [x] Ten");
}

TEST_CASE("colour dims done entries and highlights overdue pending ones only", "[reply_printer]") {
  const ReplyPrinter colored(false, false, {true, day("2024-02-29")});
  const Entry overdue{1, day("2024-02-28"), "Late", false};
  const Entry done_late{2, day("2024-02-28"), "Done", true};
  const Entry due{3, day("2024-02-29"), "Today", false};
  CHECK(colored.format(Kind::entries, ok(std::vector<Entry>{overdue, done_late, due})) ==
        "\x1b[1;31m1 2024-02-28 [ ] Late\x1b[0m\n\x1b[2m2 2024-02-28 [x] Done\x1b[0m\n"
        "3 2024-02-29 [ ] Today");
  CHECK(colored.format(Kind::show, ok(overdue)) == "\x1b[1;31m1 2024-02-28 [ ] Late\x1b[0m");
  const ReplyPrinter plain(false, false, {false, day("2024-02-29")});
  CHECK(plain.format(Kind::entries, ok(std::vector<Entry>{overdue, done_late, due})) ==
        "1 2024-02-28 [ ] Late\n2 2024-02-28 [x] Done\n3 2024-02-29 [ ] Today");
}

TEST_CASE("an agenda: overdue first then by date under headings", "[reply_printer]") {
  const Date today = day("2026-12-04");  // a Friday
  const std::vector<ListedEntry> entries = {
      {"work", {12, day("2026-12-07"), "Report", false}},
      {"home", {3, day("2026-12-04"), "Milk", false}},
      {"work", {2, day("2026-12-01"), "Late", false}},
      {"home", {1, day("2026-12-05"), "Paint", false}},
      {"ab", {4, day("2026-12-04"), "Call", false}},
  };
  CHECK(ReplyPrinter(false, false, {false, today}).format_agenda(entries) ==
        "Overdue\n"
        "  work 2  2026-12-01 Late\n"
        "\n2026-12-04 Friday (today)\n"
        "  ab   4  Call\n"
        "  home 3  Milk\n"
        "\n2026-12-05 Saturday (tomorrow)\n"
        "  home 1  Paint\n"
        "\n2026-12-07 Monday\n"
        "  work 12 Report");
  CHECK(ReplyPrinter(true, false, {false, today}).format_agenda({entries[1], entries[2]}) ==
        R"({"id":2,"date":"2026-12-01","title":"Late","done":false,"tags":[],"list":"work"})"
        "\n"
        R"({"id":3,"date":"2026-12-04","title":"Milk","done":false,"tags":[],"list":"home"})");
  CHECK(ReplyPrinter(false, false, {false, today}).format_agenda({}).empty());
  CHECK(ReplyPrinter(false, false, {true, today}).format_agenda({entries[2]}) ==
        "Overdue\n\x1b[1;31m  work 2 2026-12-01 Late\x1b[0m");
  // Days before 1970 have weekdays too.
  CHECK_THAT(ReplyPrinter(false, false, {false, day("1969-12-30")})
                 .format_agenda({{"a", {1, day("1969-12-31"), "x", false}}}),
             Catch::StartsWith("1969-12-31 Wednesday (tomorrow)\n"));
}

TEST_CASE("one-line mode joins lines with a semicolon", "[reply_printer]") {
  CHECK(text(Kind::entries, ok(std::vector<Entry>{kOpen, kDone}), true) ==
        "1 2024-02-28 [ ] Dentist; 2 2024-02-29 [x] Gym \"leg day\"");
  CHECK(text(Kind::lists, ok(std::vector<std::string>{"alice", "bob", "carol"}), true) ==
        "alice; bob; carol");
  CHECK(text(Kind::add, ok(EntryId{7}), true) == "7");
  CHECK(json(Kind::entries, ok(std::vector<Entry>{kOpen, kDone}), true) ==
        json(Kind::entries, ok(std::vector<Entry>{kOpen, kDone}), false));
}

TEST_CASE("replies as JSON", "[reply_printer]") {
  const std::string open_json =
      R"({"id":1,"date":"2024-02-28","title":"Dentist","done":false,"tags":[]})";
  const std::string done_json =
      R"({"id":2,"date":"2024-02-29","title":"Gym \"leg day\"","done":true,"tags":[]})";
  CHECK(json(Kind::add, ok(EntryId{7})) == R"({"id":7})");
  CHECK(json(Kind::entries, ok(std::vector<Entry>{kOpen, kDone})) ==
        "[" + open_json + "," + done_json + "]");
  CHECK(json(Kind::entries, ok(std::vector<Entry>{})) == "[]");
  CHECK(json(Kind::update, ok(kOpen)) == open_json);
  CHECK(json(Kind::done, ok(kDone)) == done_json);
  CHECK(json(Kind::undone, ok(kOpen)) == open_json);
  CHECK(json(Kind::show, ok(kOpen)) == open_json);
  // Given the list, each entry names it, so that entries of several lists
  // can be told apart once a script has gathered them.
  CHECK(ReplyPrinter(true, false).format(Kind::entries, ok(std::vector<Entry>{kOpen}), "bob") ==
        R"([{"id":1,"date":"2024-02-28","title":"Dentist","done":false,"tags":[],"list":"bob"}])");
  CHECK(
      ReplyPrinter(true, false).format(Kind::done, ok(kDone), "a\"b") ==
      R"({"id":2,"date":"2024-02-29","title":"Gym \"leg day\"","done":true,"tags":[],"list":"a\"b"})");
  CHECK(json(Kind::erase, ok(std::monostate{})) == R"({"ok":true})");
  CHECK(json(Kind::drop, ok(std::monostate{})) == R"({"ok":true})");
  CHECK(json(Kind::lists, ok(std::vector<std::string>{"alice", "b\"ob"})) ==
        R"(["alice","b\"ob"])");
  CHECK(json(Kind::lists, ok(std::vector<std::string>{})) == "[]");
  CHECK(json(Kind::ping, ok(kPing)) ==
        R"({"version":"1.2.3","uptime_ms":12345,"lists_in_memory":3,"requests_served":40,)"
        R"("errors":5,"busy_refusals":2,"database_batches":6,"database_writes":7,)"
        R"("actor_restarts":1,"lists_expired":8,"p99_latency_us":950,)"
        R"("resident_bytes":21495808,"degraded":""})");
  PingInfo degraded = kPing;
  degraded.degraded = "read-only: \"full\"";
  CHECK_THAT(json(Kind::ping, ok(degraded)),
             Catch::EndsWith(R"("degraded":"read-only: \"full\""})"));
}

TEST_CASE("errors as batch shows them", "[reply_printer]") {
  CHECK(ReplyPrinter(false, true).format_error("not_found", "no entry 7 in list 'bob'") ==
        "error: no entry 7 in list 'bob'");
  CHECK(ReplyPrinter(true, true).format_error("invalid_argument", "bad \"date\"\n") ==
        R"({"error":{"code":"invalid_argument","message":"bad \"date\"\n"}})");
}

TEST_CASE("JSON output holds any title exactly and escapes what JSON requires", "[reply_printer]") {
  const std::string title = std::string("a\"b\\c\td\ne\x01\x1f\r\x7f") + std::string(1, '\0') +
                            "caf\xC3\xA9 \xF0\x9F\xA6\xB7";
  const std::string printed =
      json(Kind::update, ok(Entry{1, Date::parse("2024-02-28").value(), title, false}));
  for (const char c : printed) CHECK(static_cast<unsigned char>(c) >= 0x20);
  CHECK(boost::json::parse(printed).at("title").as_string() == title);
}

}  // namespace
}  // namespace todo
