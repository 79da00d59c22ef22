#include "cli/command_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <span>

#include "cli/suggestion.hpp"
#include "common/date_phrase.hpp"
#include "common/validation.hpp"

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

// An option's count, from low to high: "--days must be a whole number from 0
// to 3660, not 'x'"; with no upper bound but the type's, and what it counts
// when that helps: "--keep must be a whole number of backups from 1, not '0'".
bool parse_count(std::string_view option, const std::string& text, std::uint32_t low,
                 std::uint32_t high, std::uint32_t& count, CommandError& error,
                 std::string_view counted = {}) {
  const char* end = text.data() + text.size();
  const auto [parsed_end, failure] = std::from_chars(text.data(), end, count);
  if (failure != std::errc() || parsed_end != end || count < low || count > high) {
    const bool is_unbounded = high == std::numeric_limits<std::uint32_t>::max();
    return usage(error, std::string(option) + " must be a whole number" +
                            (counted.empty() ? "" : " of " + std::string(counted)) + " from " +
                            std::to_string(low) +
                            (is_unbounded ? "" : " to " + std::to_string(high)) + ", not '" + text +
                            "'");
  }
  return true;
}

bool parse_page_limit(const std::string& text, std::uint32_t max, std::uint32_t& limit,
                      CommandError& error) {
  return parse_count("--limit", text, 1, max, limit, error);
}

// Every command: its grammar, the one source of its usage errors and of
// todo help, and what it does (a '\n' continues the description below).
struct CommandHelp {
  std::string_view name;
  std::string_view grammar;
  std::string_view description;
};

constexpr CommandHelp kCommands[] = {
    {"add", "add LIST [DATE] TITLE... [+TAG]... [--date D]",
     "add an entry, dated today unless DATE or --date\n"
     "says otherwise; prints its id; words +TAG are\n"
     "its tags (after --, words are all title)"},
    {"entries",
     "entries LIST [DATE] [--pending|--done] [--from D] [--to D] [--search TEXT] [--tag T]... "
     "[--after ID] [--limit N]",
     "entries in id order: ID DATE [x] TITLE +TAGS;\n"
     "--pending or --done: only those; --from, --to:\n"
     "dated from D, up to D (both included);\n"
     "--search: TEXT in the title, in any case;\n"
     "--tag: those tagged T (each one, if several);\n"
     "with --limit, at most N (1 to 1000) above ID"},
    {"agenda", "agenda [--days N] [--tag T]...",
     "pending entries of every list dated up to N\n"
     "days after today (7 by default): overdue\n"
     "ones first, then each date's: LIST ID TITLE;\n"
     "--tag: only those tagged T (each one, if several)"},
    {"show", "show LIST ID", "one entry: ID DATE [x] TITLE +TAGS"},
    {"update", "update LIST ID [--date D] [--title T] [--tag T]... [--untag T]...",
     "change an entry; prints it as it is now;\n"
     "--tag, --untag: add or remove tag T (T or +T,\n"
     "several as T1,T2)"},
    {"done", "done LIST ID", "mark an entry done"},
    {"undone", "undone LIST ID", "mark an entry not done"},
    {"delete", "delete LIST ID", "delete an entry"},
    {"undo", "undo [LIST]",
     "revert the list's last change (add, update,\n"
     "done, undone, delete, drop, move); again, the\n"
     "one before; todod keeps the last 100 of each\n"
     "list; without LIST, the last change of any list"},
    {"rename", "rename LIST NEWNAME",
     "give a list another name, with its entries,\n"
     "their ids and its undo history; NEWNAME must\n"
     "be a name no list has used"},
    {"move", "move LIST ID NEWLIST",
     "move an entry to another list, where it takes\n"
     "a new id, which todo prints"},
    {"lists", "lists [--after NAME] [--limit N]",
     "names of the lists that hold entries, sorted;\n"
     "with --limit, at most N (1 to 1000) after NAME"},
    {"drop", "drop LIST [--yes]",
     "delete a whole list and its entries (undo\n"
     "brings them back); on a terminal todo asks\n"
     "first; elsewhere, and in a batch, --yes\n"
     "confirms it"},
    {"ping", "ping",
     "version, uptime and counters: lists in memory,\n"
     "requests, errors, busy, writes, p99 latency, memory"},
    {"batch", "batch [--retry]",
     "commands from stdin, one per line, pipelined;\n"
     "one output line per command, in input order;\n"
     "with --retry, what a lost connection left\n"
     "unanswered is sent again, changes with their\n"
     "idempotency keys, so none is applied twice"},
    {"export", "export [LIST...]",
     "every entry, of every list or of those named,\n"
     "one JSON line each: {list,id,date,title,done,tags}"},
    {"import", "import [--list LIST]",
     "add the entries of todo export's lines, or of\n"
     "Taskwarrior's task export, read from stdin;\n"
     "--list: where tasks without a project go"},
    {"backup", "backup DIR [--keep N]",
     "a consistent backup of every list and token,\n"
     "made while todod serves, into DIR on todod's\n"
     "machine (made mode 0700); later ones copy only\n"
     "what changed; --keep: delete all but the newest\n"
     "N; todod(8) says how to restore one"},
    {"help", "help [COMMAND]", "this text, or one command's"},
    {"keygen", "keygen FILE",
     "write a CURVE key pair for tcp:// (docs/security.md):\n"
     "FILE, secret (mode 0600), and FILE.pub"},
    {"token", "token add|list|revoke",
     "access tokens for todod's HTTP API (docs/http.md):\n"
     "token add NAME [--lists PATTERN]... [--read-only]\n"
     "  prints the new token's secret, the only time;\n"
     "  PATTERN is a list name, or a prefix and '*'\n"
     "  (alice/*); without one, every list\n"
     "token list: names, lists, when last used\n"
     "token revoke NAME: refused from then on"},
};

// Where descriptions start in todo help.
constexpr std::size_t kDescriptionColumn = 34;

const CommandHelp* find_command(std::string_view name) {
  for (const CommandHelp& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

// REQUIRES: verb is a command's name.
std::string grammar_usage(std::string_view verb) {
  return "usage: " + std::string(find_command(verb)->grammar);
}

std::vector<std::string_view> command_names() {
  std::vector<std::string_view> names;
  for (const CommandHelp& command : kCommands) names.push_back(command.name);
  return names;
}

// The options a usage text names: every word that starts with "--".
std::vector<std::string_view> options_in(std::string_view text) {
  std::vector<std::string_view> options;
  for (std::size_t start = text.find("--"); start != std::string_view::npos;
       start = text.find("--", start)) {
    std::size_t end = start + 2;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '-')) {
      ++end;
    }
    options.push_back(text.substr(start, end - start));
    start = end;
  }
  return options;
}

// A usage error for an option the command does not take, suggesting the one
// of its own or todo's global options that it most likely means.
bool unknown_option(CommandError& error, const std::string& option, std::string_view usage_text,
                    const std::vector<std::string>& global_options) {
  std::vector<std::string_view> candidates = options_in(usage_text);
  candidates.insert(candidates.end(), global_options.begin(), global_options.end());
  return usage(error, "unknown option '" + option + "'" + did_you_mean(option, candidates) + "; " +
                          std::string(usage_text));
}

// A page of list names: todod answers up to ListNames::kMaxLimit at a time.
bool parse_lists(const std::vector<std::string>& words,
                 const std::vector<std::string>& global_options, CliCommand& command,
                 CommandError& error) {
  ListNames page;
  bool is_limited = false;
  for (std::size_t i = 1; i < words.size(); i += 2) {
    if (words[i] != "--after" && words[i] != "--limit") {
      return unknown_option(error, words[i], grammar_usage("lists"), global_options);
    }
    if (i + 1 >= words.size()) {
      return usage(error, words[i] + " needs a value; " + grammar_usage("lists"));
    }
    if (words[i] == "--after") {
      page.after = words[i + 1];
    } else if (words[i] == "--limit") {
      if (!parse_page_limit(words[i + 1], ListNames::kMaxLimit, page.limit, error)) return false;
      is_limited = true;
    }
  }
  command = {CliCommand::Kind::lists, std::move(page)};
  command.is_every_page = !is_limited;
  return true;
}

void append_tags(std::string_view value, Tags& tags) {
  for (std::size_t start = 0; start <= value.size();) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    std::string_view tag = value.substr(start, comma - start);
    if (tag.starts_with('+')) tag.remove_prefix(1);
    tags.emplace_back(tag);
    start = comma + 1;
  }
}

// agenda [--days N] [--tag T]...: the request is sent per list
// (cli/every_list_commands.cpp), so none here.
bool parse_agenda(const std::vector<std::string>& words,
                  const std::vector<std::string>& global_options, CliCommand& command,
                  CommandError& error) {
  command = {CliCommand::Kind::agenda, Ping{}};
  for (std::size_t i = 1; i < words.size(); i += 2) {
    if (words[i] != "--days" && words[i] != "--tag") {
      return unknown_option(error, words[i], grammar_usage("agenda"), global_options);
    }
    if (i + 1 >= words.size()) {
      return usage(error, words[i] + " needs a value; " + grammar_usage("agenda"));
    }
    if (words[i] == "--tag") {
      append_tags(words[i + 1], command.agenda_tags);
    } else if (!parse_count("--days", words[i + 1], 0, CliCommand::kMaxAgendaDays,
                            command.agenda_days, error)) {
      return false;
    }
  }
  EntryFilter tagged;
  tagged.tags = command.agenda_tags;
  if (auto valid = validate_entry_filter(tagged); !valid) {
    error = {false, valid.error().message};
    return false;
  }
  return true;
}

// The verbs whose first argument is a list name, as their grammar says (for
// undo, when there is one).
bool takes_list(std::string_view verb) {
  const CommandHelp* command = find_command(verb);
  if (command == nullptr) return false;
  const std::string_view arguments = command->grammar.substr(verb.size());
  return arguments.starts_with(" LIST") || arguments.starts_with(" [LIST]");
}

// A command's grammar and description as one row of todo help, every line
// after the first indented by `indent` more than the description column.
std::string help_row(const CommandHelp& command, std::string_view indent) {
  const std::string continuation =
      "\n" + std::string(indent) + std::string(kDescriptionColumn, ' ');
  std::string row(command.grammar);
  if (row.size() < kDescriptionColumn) {
    row.append(kDescriptionColumn - row.size(), ' ');
  } else {
    row += continuation;
  }
  for (const char c : command.description) {
    if (c == '\n') {
      row += continuation;
    } else {
      row += c;
    }
  }
  return row;
}

// Whether the words after the verb, before any `--`, ask for help.
bool asks_for_help(const std::vector<std::string>& words) {
  for (std::size_t i = 1; i < words.size() && words[i] != "--"; ++i) {
    if (words[i] == "--help" || words[i] == "-h") return true;
  }
  return false;
}

// Whether the verb words[0] has exactly `count` arguments; a usage error
// showing its grammar when it has not.
bool has_arguments(const std::vector<std::string>& words, std::size_t count, CommandError& error) {
  if (words.size() - 1 == count) return true;
  return usage(error, grammar_usage(words[0]));
}

// A command on the list named by words[1].
CliCommand list_command(CliCommand::Kind kind, const std::vector<std::string>& words,
                        ListOperation operation) {
  return {kind, ListCommand{words[1], std::move(operation)}};
}

// A command that takes no arguments, its grammar being its verb alone.
bool parse_bare(const std::vector<std::string>& words, CliCommand::Kind kind, Command request,
                CliCommand& command, CommandError& error) {
  if (!has_arguments(words, 0, error)) return false;
  command = {kind, std::move(request)};
  return true;
}

bool parse_done_or_undone(const std::vector<std::string>& words, CliCommand& command,
                          CommandError& error) {
  const bool is_done = words[0] == "done";
  if (!has_arguments(words, 2, error)) return false;
  UpdateEntry update;
  if (!parse_id(words[2], update.id, error)) return false;
  update.change.done = is_done;
  command =
      list_command(is_done ? CliCommand::Kind::done : CliCommand::Kind::undone, words, update);
  return true;
}

bool parse_delete(const std::vector<std::string>& words, CliCommand& command, CommandError& error) {
  if (!has_arguments(words, 2, error)) return false;
  DeleteEntry erase;
  if (!parse_id(words[2], erase.id, error)) return false;
  command = list_command(CliCommand::Kind::erase, words, erase);
  return true;
}

// rename LIST NEWNAME and move LIST ID NEWLIST: the other list's name, as
// the first one, is never a word starting with '-' unless after `--`.
bool parse_transfer(const std::vector<std::string>& words, std::size_t first_literal,
                    CliCommand& command, CommandError& error) {
  const bool is_rename = words[0] == "rename";
  if (!has_arguments(words, is_rename ? 2 : 3, error)) return false;
  const std::size_t other = is_rename ? 2 : 3;
  if (words[other].starts_with('-') && other < first_literal) {
    return usage(error, "'" + words[other] + "' is an option, not a list name (to name a list " +
                            "that starts with '-', put -- before it; try 'todo help " + words[0] +
                            "')");
  }
  if (auto valid = validate_list_name(words[other]); !valid) {
    error = {false, valid.error().message};
    return false;
  }
  if (is_rename) {
    command = list_command(CliCommand::Kind::rename, words, RenameList{words[2]});
    return true;
  }
  MoveEntry move;
  if (!parse_id(words[2], move.id, error)) return false;
  move.destination = words[3];
  command = list_command(CliCommand::Kind::move, words, std::move(move));
  return true;
}

bool parse_help(const std::vector<std::string>& words, CliCommand& command, CommandError& error) {
  if (words.size() > 2) return usage(error, grammar_usage("help"));
  std::string topic = words.size() == 2 ? words[1] : "";
  if (topic == "--help" || topic == "-h") topic = "help";
  if (!topic.empty() && find_command(topic) == nullptr) {
    return usage(error, "unknown command '" + topic + "' (try todo help)");
  }
  command = {CliCommand::Kind::help, Ping{}, topic};
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

constexpr std::string_view kTokenUsage =
    "usage: token add NAME [--lists PATTERN]... [--read-only] | token list | token revoke NAME";

// token add|list|revoke; names and patterns are checked here as todod would,
// so that a mistake is told without a round trip.
bool parse_token(const std::vector<std::string>& words,
                 const std::vector<std::string>& global_options, CliCommand& command,
                 CommandError& error) {
  if (words.size() < 2) return usage(error, std::string(kTokenUsage));
  const std::string& action = words[1];
  if (action == "list") {
    if (words.size() != 2) return usage(error, std::string(kTokenUsage));
    command = {CliCommand::Kind::token_list, ListTokens{}};
    return true;
  }
  if (action != "add" && action != "revoke") {
    return usage(error, "unknown token command '" + action + "'; " + std::string(kTokenUsage));
  }
  if (words.size() < 3 || words[2].starts_with('-')) {
    return usage(error, "token " + action + " needs a token's NAME; " + std::string(kTokenUsage));
  }
  const std::string& name = words[2];
  if (auto checked = check_token_name(name); !checked) {
    error = {false, checked.error().message};
    return false;
  }
  if (action == "revoke") {
    if (words.size() != 3) return usage(error, std::string(kTokenUsage));
    command = {CliCommand::Kind::token_revoke, RevokeToken{name}};
    return true;
  }
  TokenGrant grant{name, {}, false};
  for (std::size_t i = 3; i < words.size(); ++i) {
    if (words[i] == "--read-only") {
      grant.is_read_only = true;
    } else if (words[i] == "--lists" && i + 1 < words.size()) {
      grant.list_patterns.push_back(words[++i]);
    } else {
      if (words[i] == "--lists")
        return usage(error, "--lists needs a PATTERN; " + std::string(kTokenUsage));
      return unknown_option(error, words[i], kTokenUsage, global_options);
    }
  }
  auto canonical = canonical_token_grant(std::move(grant));
  if (!canonical) {
    error = {false, canonical.error().message};
    return false;
  }
  command = {CliCommand::Kind::token_add, AddToken{std::move(canonical).value()}};
  return true;
}

// Whether the list name and any title pass the rules todod applies
// (validation.hpp), so that a request todod would refuse, or ZeroMQ drop as
// too large, is never sent: a dropped one would take the connection, and the
// outcome of every request in flight on it, with it.
bool has_valid_values(const CliCommand& command, CommandError& error) {
  const auto* list_command = std::get_if<ListCommand>(&command.command);
  if (list_command == nullptr) return true;
  Result<void> valid = validate_list_name(list_command->list);
  if (valid) {
    if (const auto* add = std::get_if<AddEntry>(&list_command->operation)) {
      valid = validate_title(add->title);
    } else if (const auto* update = std::get_if<UpdateEntry>(&list_command->operation);
               update != nullptr && update->change.title) {
      valid = validate_title(*update->change.title);
    }
  }
  if (valid) return true;
  error = {false, valid.error().message};
  return false;
}

}  // namespace

std::string command_usage(std::string_view topic) {
  if (!topic.empty()) return "usage: " + help_row(*find_command(topic), "       ");
  std::string usage = "Commands:";
  for (const CommandHelp& command : kCommands) usage += "\n  " + help_row(command, "  ");
  return usage;
}

bool CommandParser::parse_date(std::string_view text, Date& date, CommandError& error) const {
  auto parsed = parse_date_phrase(text, today_);
  if (!parsed) {
    error = {false, parsed.error().message};
    return false;
  }
  date = parsed.value();
  return true;
}

bool CommandParser::parse(const std::vector<std::string>& words, CliCommand& command,
                          CommandError& error) const {
  if (words.empty()) return usage(error, "no command given (try todo help)");
  const std::string& verb = words[0];
  if (verb == "help") return parse_help(words, command, error);
  if (find_command(verb) == nullptr) {
    return usage(error, "unknown command '" + verb + "'" + did_you_mean(verb, command_names()) +
                            "; todo help lists them");
  }
  if (asks_for_help(words)) {
    command = {CliCommand::Kind::help, Ping{}, verb};
    return true;
  }
  // The first `--` ends the options: every word after it is taken as it is.
  // Before it, an option may be written --name=value.
  std::vector<std::string> arguments;
  std::size_t first_literal = 0;
  bool is_literal = false;
  for (const std::string& word : words) {
    if (is_literal) {
      arguments.push_back(word);
    } else if (word == "--") {
      is_literal = true;
      first_literal = arguments.size();
    } else if (const std::size_t equals = word.find('=');
               word.starts_with("--") && equals != std::string::npos) {
      arguments.push_back(word.substr(0, equals));
      arguments.push_back(word.substr(equals + 1));
    } else {
      arguments.push_back(word);
    }
  }
  if (!is_literal) first_literal = arguments.size();
  if (!takes_list(verb)) return parse_verb(arguments, first_literal, command, error);
  // The list name is the word after the verb, or after a `--` there.
  if (arguments.size() > 1 && arguments[1].starts_with('-') && first_literal != 1) {
    return usage(error, "'" + arguments[1] + "' is an option, not a list name (to name a list " +
                            "that starts with '-', put -- before it; try 'todo help " + verb +
                            "')");
  }
  return parse_verb(arguments, first_literal, command, error) && has_valid_values(command, error);
}

bool CommandParser::parse_verb(const std::vector<std::string>& words, std::size_t first_literal,
                               CliCommand& command, CommandError& error) const {
  const std::string& verb = words[0];
  if (verb == "add") return parse_add(words, first_literal, command, error);
  if (verb == "entries") return parse_entries(words, command, error);
  if (verb == "show") return parse_show(words, command, error);
  if (verb == "update") return parse_update(words, command, error);
  if (verb == "done" || verb == "undone") return parse_done_or_undone(words, command, error);
  if (verb == "delete") return parse_delete(words, command, error);
  if (verb == "undo") {
    if (words.size() == 1) {
      command = {CliCommand::Kind::undo, UndoLatest{}};
      return true;
    }
    if (!has_arguments(words, 1, error)) return false;
    command = list_command(CliCommand::Kind::undo, words, UndoChange{});
    return true;
  }
  if (verb == "rename" || verb == "move")
    return parse_transfer(words, first_literal, command, error);
  if (verb == "drop") {
    const bool is_confirmed = words.size() == 3 && (words[2] == "--yes" || words[2] == "-y");
    if (!is_confirmed && !has_arguments(words, 1, error)) return false;
    command = list_command(CliCommand::Kind::drop, words, DropList{});
    command.is_confirmed = is_confirmed;
    return true;
  }
  if (verb == "lists") return parse_lists(words, global_options_, command, error);
  if (verb == "ping") return parse_bare(words, CliCommand::Kind::ping, Ping{}, command, error);
  if (verb == "batch") {
    if (words.size() > 2 || (words.size() == 2 && words[1] != "--retry")) {
      return usage(error, grammar_usage("batch"));
    }
    command = {CliCommand::Kind::batch, Ping{}};
    command.is_retrying = words.size() == 2;
    return true;
  }
  if (verb == "export") {
    command = {CliCommand::Kind::export_entries, Ping{}};
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (i < first_literal && words[i].starts_with('-')) {
        return unknown_option(error, words[i], grammar_usage("export"), global_options_);
      }
      if (auto valid = validate_list_name(words[i]); !valid) {
        error = {false, valid.error().message};
        return false;
      }
      command.export_lists.push_back(words[i]);
    }
    return true;
  }
  if (verb == "import") {
    command = {CliCommand::Kind::import_entries, Ping{}};
    if (words.size() == 1) return true;
    if (words[1] != "--list") {
      return unknown_option(error, words[1], grammar_usage("import"), global_options_);
    }
    if (words.size() != 3) return usage(error, grammar_usage("import"));
    if (auto valid = validate_list_name(words[2]); !valid) {
      error = {false, valid.error().message};
      return false;
    }
    command.import_list = words[2];
    return true;
  }
  if (verb == "backup") return parse_backup(words, first_literal, command, error);
  if (verb == "agenda") return parse_agenda(words, global_options_, command, error);
  if (verb == "keygen") {
    if (words.size() != 2) return usage(error, grammar_usage("keygen"));
    command = {CliCommand::Kind::keygen, Ping{}, "", words[1]};
    return true;
  }
  return parse_token(words, global_options_, command, error);
}

bool CommandParser::parse_backup(const std::vector<std::string>& words, std::size_t first_literal,
                                 CliCommand& command, CommandError& error) const {
  MakeBackup backup;
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (i < first_literal && words[i] == "--keep") {
      if (i + 1 == words.size()) return usage(error, "--keep needs N; " + grammar_usage("backup"));
      if (!parse_count("--keep", words[++i], 1, std::numeric_limits<std::uint32_t>::max(),
                       backup.keep, error, "backups")) {
        return false;
      }
    } else if (i < first_literal && words[i].starts_with('-')) {
      return unknown_option(error, words[i], grammar_usage("backup"), global_options_);
    } else if (backup.directory.empty()) {
      backup.directory = words[i];
    } else {
      return usage(error, grammar_usage("backup"));
    }
  }
  if (backup.directory.empty()) return usage(error, grammar_usage("backup"));
  if (backup.directory.size() > MakeBackup::kMaxDirectoryBytes) {
    error = {false, "the backup directory's path is longer than " +
                        std::to_string(MakeBackup::kMaxDirectoryBytes) + " bytes"};
    return false;
  }
  command = {CliCommand::Kind::backup, std::move(backup)};
  return true;
}

bool CommandParser::parse_add(const std::vector<std::string>& words, std::size_t first_literal,
                              CliCommand& command, CommandError& error) const {
  if (words.size() < 2) return usage(error, grammar_usage("add"));
  std::optional<Date> date;
  std::vector<std::string> title;
  // The title's words before any `--`: only these may hold its date.
  std::size_t unquoted = 0;
  for (std::size_t i = 2; i < words.size(); ++i) {
    if (i >= first_literal || !words[i].starts_with("--")) {
      title.push_back(words[i]);
      if (i < first_literal) unquoted = title.size();
      continue;
    }
    if (words[i] != "--date") {
      return unknown_option(error, words[i], grammar_usage("add"), global_options_);
    }
    if (i + 1 >= words.size()) return usage(error, "--date needs a value; " + grammar_usage("add"));
    Date given;
    if (!parse_date(words[++i], given, error)) return false;
    date = given;
  }
  if (!date) {
    // DATE, when the first word of the rest is meant as one; today if not.
    const std::size_t date_words =
        date_phrase_words(std::span<const std::string>(title.data(), unquoted));
    date = today_;
    if (date_words > 0) {
      const std::vector<std::string> phrase(title.begin(), title.begin() + date_words);
      if (!parse_date(join_from(phrase, 0), *date, error)) {
        error.message += " (for a title that starts so, give --date D, or put -- before it)";
        return false;
      }
      title.erase(title.begin(), title.begin() + date_words);
      unquoted -= date_words;
    }
  }
  // +TAG words before any `--` are tags; the rest is the title.
  AddEntry add{*date, "", {}};
  std::vector<std::string> title_words;
  for (std::size_t i = 0; i < title.size(); ++i) {
    const auto tag = i < unquoted ? tag_of_word(title[i]) : std::nullopt;
    if (tag) {
      add.tags.emplace_back(*tag);
    } else {
      title_words.push_back(std::move(title[i]));
    }
  }
  if (title_words.empty()) {
    return usage(error, std::string("add needs a TITLE") +
                            (add.tags.empty() ? "" : " besides its +TAGs") + "; " +
                            grammar_usage("add"));
  }
  add.title = join_from(title_words, 0);
  auto tags = normalized_tags(std::move(add.tags));
  if (!tags) {
    error = {false, tags.error().message};
    return false;
  }
  add.tags = std::move(tags).value();
  command = list_command(CliCommand::Kind::add, words, std::move(add));
  return true;
}

// The first entry above ID - 1 is entry ID when there is one: the reply
// printer (shown_entry) tells the two apart.
bool CommandParser::parse_show(const std::vector<std::string>& words, CliCommand& command,
                               CommandError& error) const {
  if (!has_arguments(words, 2, error)) return false;
  EntryId id = 0;
  if (!parse_id(words[2], id, error)) return false;
  command = list_command(CliCommand::Kind::show, words,
                         GetEntries{.date = std::nullopt, .after = id - 1, .limit = 1});
  return true;
}

bool CommandParser::parse_entries(const std::vector<std::string>& words, CliCommand& command,
                                  CommandError& error) const {
  if (words.size() < 2) return usage(error, grammar_usage("entries"));
  GetEntries get;
  std::size_t i = 2;
  std::vector<std::string> phrase;
  while (i < words.size() && !words[i].starts_with("--")) phrase.push_back(words[i++]);
  if (phrase.size() > 1 && date_phrase_words(phrase) != phrase.size()) {
    return usage(error, grammar_usage("entries"));
  }
  if (!phrase.empty()) {
    Date date;
    if (!parse_date(join_from(phrase, 0), date, error)) {
      const bool is_id = std::all_of(phrase[0].begin(), phrase[0].end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
      if (phrase.size() == 1 && is_id) {
        error.message +=
            " (to see entry " + phrase[0] + ": todo show " + words[1] + " " + phrase[0] + ")";
      }
      return false;
    }
    get.date = date;
  }
  bool is_paged = false;
  EntryFilter filter;
  bool is_filtered = false;
  for (; i < words.size(); i += 2) {
    const std::string& option = words[i];
    if (option == "--pending" || option == "--done") {
      const DoneState state = option == "--pending" ? DoneState::pending : DoneState::done;
      if (filter.done != DoneState::any && filter.done != state) {
        return usage(error,
                     "--pending and --done cannot go together: an entry is one or the "
                     "other (leave both out for every entry); " +
                         grammar_usage("entries"));
      }
      filter.done = state;
      is_filtered = true;
      --i;  // a flag: no value to step over
      continue;
    }
    if (option != "--after" && option != "--limit" && option != "--from" && option != "--to" &&
        option != "--search" && option != "--tag") {
      return unknown_option(error, option, grammar_usage("entries"), global_options_);
    }
    if (i + 1 >= words.size()) {
      return usage(error, option + " needs a value; " + grammar_usage("entries"));
    }
    const std::string& value = words[i + 1];
    if (option == "--after") {
      if (!parse_id(value, get.after, error)) return false;
      is_paged = true;
    } else if (option == "--limit") {
      if (!parse_page_limit(value, GetEntries::kMaxLimit, get.limit, error)) return false;
    } else if (option == "--search") {
      filter.search = value;
      is_filtered = true;
    } else if (option == "--tag") {
      append_tags(value, filter.tags);
      is_filtered = true;
    } else {
      Date date;
      if (!parse_date(value, date, error)) return false;
      (option == "--from" ? filter.from : filter.to) = date;
      is_filtered = true;
    }
  }
  if (is_filtered) {
    if (auto valid = validate_entry_filter(filter); !valid) {
      error = {false, valid.error().message};
      return false;
    }
    get.filter = std::make_shared<const EntryFilter>(std::move(filter));
  }
  const bool is_limited = get.limit != 0;
  if (is_paged && !is_limited) get.limit = GetEntries::kMaxLimit;
  command = list_command(CliCommand::Kind::entries, words, get);
  // --after alone: every page above the id.
  command.is_every_page = is_paged && !is_limited;
  return true;
}

bool CommandParser::parse_update(const std::vector<std::string>& words, CliCommand& command,
                                 CommandError& error) const {
  if (words.size() - 1 < 2) return usage(error, grammar_usage("update"));
  UpdateEntry update;
  if (!parse_id(words[2], update.id, error)) return false;
  if (!parse_update_options(words, update.change, error)) return false;
  if (!update.change.changes_anything()) {
    return usage(error, "nothing to update: give --date, --title, --tag or --untag; " +
                            grammar_usage("update"));
  }
  command = list_command(CliCommand::Kind::update, words, update);
  return true;
}

bool CommandParser::parse_update_options(const std::vector<std::string>& words, EntryChange& change,
                                         CommandError& error) const {
  TagChange tags;
  for (std::size_t i = 3; i < words.size(); i += 2) {
    if (words[i] != "--date" && words[i] != "--title" && words[i] != "--tag" &&
        words[i] != "--untag") {
      return unknown_option(error, words[i], grammar_usage("update"), global_options_);
    }
    if (i + 1 >= words.size()) {
      return usage(error, words[i] + " needs a value; " + grammar_usage("update"));
    }
    if (words[i] == "--date") {
      Date date;
      if (!parse_date(words[i + 1], date, error)) return false;
      change.date = date;
    } else if (words[i] == "--title") {
      change.title = words[i + 1];
    } else {
      append_tags(words[i + 1], words[i] == "--tag" ? tags.added : tags.removed);
    }
  }
  if (tags.added.empty() && tags.removed.empty()) return true;
  for (const Tags* named : {&tags.added, &tags.removed}) {
    if (auto valid = normalized_tags(*named); !valid) {
      error = {false, valid.error().message};
      return false;
    }
  }
  change.tags = std::make_shared<const TagChange>(std::move(tags));
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
