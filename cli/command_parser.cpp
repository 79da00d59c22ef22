#include "cli/command_parser.hpp"

#include <charconv>
#include <ctime>

namespace todo {
namespace {

bool usage(CommandError& error, std::string message) {
  error = {true, std::move(message)};
  return false;
}

bool parse_id(const std::string& text, EntryId& id, CommandError& error) {
  const char* end = text.data() + text.size();
  const auto [parsed_end, failure] = std::from_chars(text.data(), end, id);
  if (failure != std::errc() || parsed_end != end || id == 0) {
    return usage(error, "ID must be a positive whole number, not '" + text + "'");
  }
  return true;
}

constexpr const char* kUpdateGrammar = "update LIST ID [--date D] [--title T]";

// Whether the verb words[0] has exactly `count` arguments; a usage error
// showing its grammar when it has not.
bool has_arguments(const std::vector<std::string>& words, std::size_t count, const char* grammar,
                   CommandError& error) {
  if (words.size() - 1 == count) return true;
  return usage(error, std::string("usage: ") + grammar);
}

// A command on the list named by words[1].
CliCommand list_command(CliCommand::Kind kind, const std::vector<std::string>& words,
                        ListOperation operation) {
  return {kind, ListCommand{words[1], std::move(operation)}};
}

// A command that takes no arguments, its grammar being its verb alone.
bool parse_bare(const std::vector<std::string>& words, CliCommand::Kind kind, Command request,
                CliCommand& command, CommandError& error) {
  if (!has_arguments(words, 0, words[0].c_str(), error)) return false;
  command = {kind, std::move(request)};
  return true;
}

bool parse_done_or_undone(const std::vector<std::string>& words, CliCommand& command,
                          CommandError& error) {
  const bool is_done = words[0] == "done";
  if (!has_arguments(words, 2, is_done ? "done LIST ID" : "undone LIST ID", error)) return false;
  UpdateEntry update;
  if (!parse_id(words[2], update.id, error)) return false;
  update.change.done = is_done;
  command =
      list_command(is_done ? CliCommand::Kind::done : CliCommand::Kind::undone, words, update);
  return true;
}

bool parse_delete(const std::vector<std::string>& words, CliCommand& command, CommandError& error) {
  if (!has_arguments(words, 2, "delete LIST ID", error)) return false;
  DeleteEntry erase;
  if (!parse_id(words[2], erase.id, error)) return false;
  command = list_command(CliCommand::Kind::erase, words, erase);
  return true;
}

std::string join_from(const std::vector<std::string>& words, std::size_t first) {
  std::string joined;
  for (std::size_t i = first; i < words.size(); ++i) {
    if (i > first) joined += ' ';
    joined += words[i];
  }
  return joined;
}

}  // namespace

Date local_today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &local);
  return Date::parse(text).value();
}

bool CommandParser::parse_date(std::string_view text, Date& date, CommandError& error) const {
  if (text == "today") {
    date = today_;
  } else if (text == "tomorrow") {
    date = today_.plus_days(1);
  } else if (text == "yesterday") {
    date = today_.plus_days(-1);
  } else {
    auto parsed = Date::parse(text);
    if (!parsed) {
      error = {false, parsed.error().message};
      return false;
    }
    date = parsed.value();
  }
  return true;
}

bool CommandParser::parse(const std::vector<std::string>& words, CliCommand& command,
                          CommandError& error) const {
  if (words.empty()) return usage(error, "no command given (try --help)");
  const std::string& verb = words[0];
  if (verb == "add") return parse_add(words, command, error);
  if (verb == "entries") return parse_entries(words, command, error);
  if (verb == "update") return parse_update(words, command, error);
  if (verb == "done" || verb == "undone") return parse_done_or_undone(words, command, error);
  if (verb == "delete") return parse_delete(words, command, error);
  if (verb == "drop") {
    if (!has_arguments(words, 1, "drop LIST", error)) return false;
    command = list_command(CliCommand::Kind::drop, words, DropList{});
    return true;
  }
  if (verb == "lists") {
    return parse_bare(words, CliCommand::Kind::lists, ListNames{}, command, error);
  }
  if (verb == "ping") return parse_bare(words, CliCommand::Kind::ping, Ping{}, command, error);
  if (verb == "batch") return parse_bare(words, CliCommand::Kind::batch, Ping{}, command, error);
  return usage(error, "unknown command '" + verb + "' (try --help)");
}

bool CommandParser::parse_add(const std::vector<std::string>& words, CliCommand& command,
                              CommandError& error) const {
  if (words.size() - 1 < 3) return usage(error, "usage: add LIST DATE TITLE...");
  Date date;
  if (!parse_date(words[2], date, error)) return false;
  command = list_command(CliCommand::Kind::add, words, AddEntry{date, join_from(words, 3)});
  return true;
}

bool CommandParser::parse_entries(const std::vector<std::string>& words, CliCommand& command,
                                  CommandError& error) const {
  const std::size_t argc = words.size() - 1;
  if (argc != 1 && argc != 2) return usage(error, "usage: entries LIST [DATE]");
  GetEntries get;
  if (argc == 2) {
    Date date;
    if (!parse_date(words[2], date, error)) return false;
    get.date = date;
  }
  command = list_command(CliCommand::Kind::entries, words, get);
  return true;
}

bool CommandParser::parse_update(const std::vector<std::string>& words, CliCommand& command,
                                 CommandError& error) const {
  if (words.size() - 1 < 2) return usage(error, std::string("usage: ") + kUpdateGrammar);
  UpdateEntry update;
  if (!parse_id(words[2], update.id, error)) return false;
  if (!parse_update_options(words, update.change, error)) return false;
  if (!update.change.date && !update.change.title) {
    return usage(
        error, std::string("nothing to update: give --date or --title; usage: ") + kUpdateGrammar);
  }
  command = list_command(CliCommand::Kind::update, words, update);
  return true;
}

bool CommandParser::parse_update_options(const std::vector<std::string>& words, EntryChange& change,
                                         CommandError& error) const {
  for (std::size_t i = 3; i < words.size(); i += 2) {
    if (i + 1 >= words.size()) {
      return usage(error, words[i] + " needs a value; usage: " + kUpdateGrammar);
    }
    if (words[i] == "--date") {
      Date date;
      if (!parse_date(words[i + 1], date, error)) return false;
      change.date = date;
    } else if (words[i] == "--title") {
      change.title = words[i + 1];
    } else {
      return usage(error, "unknown option '" + words[i] + "'; usage: " + kUpdateGrammar);
    }
  }
  return true;
}

bool CommandParser::split_words(std::string_view line, std::vector<std::string>& words) {
  words.clear();
  std::string word;
  bool is_in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        word += line[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      is_in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      is_in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (is_in_word) words.push_back(std::move(word));
      word.clear();
      is_in_word = false;
    } else {
      word += c;
      is_in_word = true;
    }
  }
  if (quote != 0) return false;
  if (is_in_word) words.push_back(std::move(word));
  return true;
}

}  // namespace todo
