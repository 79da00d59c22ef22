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
  const std::size_t argc = words.size() - 1;
  const auto expect = [&](std::size_t count, const char* grammar) {
    if (argc == count) return true;
    return usage(error, std::string("usage: ") + grammar);
  };
  const auto list_command = [&](CliCommand::Kind kind, ListOperation operation) {
    command = {kind, ListCommand{words[1], std::move(operation)}};
    return true;
  };

  if (verb == "add") {
    if (argc < 3) return usage(error, "usage: add LIST DATE TITLE...");
    Date date;
    if (!parse_date(words[2], date, error)) return false;
    return list_command(CliCommand::Kind::add, AddEntry{date, join_from(words, 3)});
  }
  if (verb == "entries") {
    if (argc != 1 && argc != 2) return usage(error, "usage: entries LIST [DATE]");
    GetEntries get;
    if (argc == 2) {
      Date date;
      if (!parse_date(words[2], date, error)) return false;
      get.date = date;
    }
    return list_command(CliCommand::Kind::entries, get);
  }
  if (verb == "update") {
    constexpr const char* kGrammar = "update LIST ID [--date D] [--title T]";
    if (argc < 2) return usage(error, std::string("usage: ") + kGrammar);
    UpdateEntry update;
    if (!parse_id(words[2], update.id, error)) return false;
    for (std::size_t i = 3; i < words.size(); i += 2) {
      if (i + 1 >= words.size())
        return usage(error, words[i] + " needs a value; usage: " + kGrammar);
      if (words[i] == "--date") {
        Date date;
        if (!parse_date(words[i + 1], date, error)) return false;
        update.change.date = date;
      } else if (words[i] == "--title") {
        update.change.title = words[i + 1];
      } else {
        return usage(error, "unknown option '" + words[i] + "'; usage: " + kGrammar);
      }
    }
    if (!update.change.date && !update.change.title) {
      return usage(error,
                   std::string("nothing to update: give --date or --title; usage: ") + kGrammar);
    }
    return list_command(CliCommand::Kind::update, update);
  }
  if (verb == "done" || verb == "undone") {
    if (!expect(2, verb == "done" ? "done LIST ID" : "undone LIST ID")) return false;
    UpdateEntry update;
    if (!parse_id(words[2], update.id, error)) return false;
    update.change.done = verb == "done";
    return list_command(verb == "done" ? CliCommand::Kind::done : CliCommand::Kind::undone, update);
  }
  if (verb == "delete") {
    if (!expect(2, "delete LIST ID")) return false;
    DeleteEntry erase;
    if (!parse_id(words[2], erase.id, error)) return false;
    return list_command(CliCommand::Kind::erase, erase);
  }
  if (verb == "drop") {
    if (!expect(1, "drop LIST")) return false;
    return list_command(CliCommand::Kind::drop, DropList{});
  }
  if (verb == "lists") {
    if (!expect(0, "lists")) return false;
    command = {CliCommand::Kind::lists, ListNames{}};
    return true;
  }
  if (verb == "ping") {
    if (!expect(0, "ping")) return false;
    command = {CliCommand::Kind::ping, Ping{}};
    return true;
  }
  if (verb == "batch") {
    if (!expect(0, "batch")) return false;
    command = {CliCommand::Kind::batch, Ping{}};
    return true;
  }
  return usage(error, "unknown command '" + verb + "' (try --help)");
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
