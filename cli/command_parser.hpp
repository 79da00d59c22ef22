// The grammar of todo's commands, shared by the command line and `todo batch`
// (where each stdin line is a command without the leading "todo"):
//
//   add LIST [DATE] TITLE... [--date D]
//   entries LIST [DATE] [--pending|--done] [--from D] [--to D] [--search TEXT]
//           [--after ID] [--limit N]
//   show LIST ID      agenda [--days N] [--tag T]...
//   update LIST ID [--date D] [--title T]
//   done LIST ID      undone LIST ID      delete LIST ID      undo LIST
//   rename LIST NEWNAME      move LIST ID NEWLIST
//   lists      drop LIST      ping      batch [--retry]      help [COMMAND]
//   export [LIST...]      import [--list LIST]      backup DIR [--keep N]
//   keygen FILE
//   token add NAME [--lists PATTERN]... [--read-only]
//   token list      token revoke NAME
//
// DATE is any form common/date_phrase.hpp reads (2026-12-19, friday, +3d, ...),
// in local time; add's DATE is taken when the first word of the rest is meant
// as a date, and is today otherwise. TITLE... is the rest of the words joined
// by single spaces.
//
// `--help` or `-h` after any command asks for that command's usage: it never
// reaches the daemon. Options may be written --name VALUE or --name=VALUE. A
// word starting with '-' is never taken as a list name,
// so a misplaced option cannot drop or create a list; `--` before the list
// name passes one that starts with '-' (`drop -- -old`), and words after `--`
// are never taken as a request for help.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/protocol.hpp"

namespace todo {

// What the user asked for: the request to send, and how to show its reply.
struct CliCommand {
  enum class Kind {
    add,
    entries,
    show,
    update,
    done,
    undone,
    erase,
    undo,
    rename,
    move,
    lists,
    drop,
    ping,
    batch,
    help,
    keygen,
    export_entries,
    import_entries,
    token_add,
    token_list,
    token_revoke,
    backup,
    agenda
  };

  Kind kind = Kind::ping;
  Command command;
  // For help: the command asked about; empty for all of them.
  std::string help_topic;
  // For keygen: where the secret key goes (and FILE.pub the public one).
  std::string key_file;
  // For lists without --limit, and entries with --after alone: every page,
  // each asked for after the last name or id of the one before, until one
  // comes back short.
  bool is_every_page = false;
  // For batch --retry: changes carry idempotency keys, and what is left
  // unanswered when the connection fails is sent again.
  bool is_retrying = false;
  // For drop: --yes, the confirmation a drop needs where todo cannot ask.
  bool is_confirmed = false;
  // For export: the lists named, every list when empty.
  std::vector<std::string> export_lists;
  // For import --list: where Taskwarrior tasks without a project go.
  std::optional<std::string> import_list;
  // For agenda: how many days after today it reaches, and the tags its
  // entries must all carry (none: any entry).
  std::uint32_t agenda_days = kDefaultAgendaDays;
  Tags agenda_tags;

  static constexpr std::uint32_t kDefaultAgendaDays = 7;
  // Ten years: a bound that keeps today + N a date.
  static constexpr std::uint32_t kMaxAgendaDays = 3660;
};

// The usage of one command (its grammar and what it does), or of all of them
// when topic is empty. REQUIRES: topic is empty or a command's name.
std::string command_usage(std::string_view topic);

// Why a command was not sent. A usage error (exit 2) is a command that does
// not follow the grammar; otherwise a value was invalid (exit 1), e.g. a date.
struct CommandError {
  bool is_usage = true;
  std::string message;
};

class CommandParser {
 public:
  // today: the local date, given so the parser stays a pure function.
  // global_options: todo's own options (--endpoint, ...), suggested when an
  // unknown option looks like one of them.
  explicit CommandParser(Date today, std::vector<std::string> global_options = {})
      : today_(today), global_options_(std::move(global_options)) {}

  // words: the command and its arguments. Fills command or error.
  bool parse(const std::vector<std::string>& words, CliCommand& command, CommandError& error) const;

  // Splits a batch line into words as a shell would: whitespace separates,
  // '...' and "..." quote, backslash escapes. False for an unclosed quote.
  static bool split_words(std::string_view line, std::vector<std::string>& words);

 private:
  bool parse_date(std::string_view text, Date& date, CommandError& error) const;
  // Dispatches on words[0], the verb, with any `--` already taken out;
  // words from first_literal on came after it.
  bool parse_verb(const std::vector<std::string>& words, std::size_t first_literal,
                  CliCommand& command, CommandError& error) const;
  // The verbs whose arguments hold dates (today_ resolves the relative ones).
  // REQUIRES: words[0] is the verb.
  bool parse_add(const std::vector<std::string>& words, std::size_t first_literal,
                 CliCommand& command, CommandError& error) const;
  // DIR as given: a relative one is made absolute by whoever knows the
  // working directory, as todod may have another.
  bool parse_backup(const std::vector<std::string>& words, std::size_t first_literal,
                    CliCommand& command, CommandError& error) const;
  bool parse_show(const std::vector<std::string>& words, CliCommand& command,
                  CommandError& error) const;
  bool parse_entries(const std::vector<std::string>& words, CliCommand& command,
                     CommandError& error) const;
  bool parse_update(const std::vector<std::string>& words, CliCommand& command,
                    CommandError& error) const;
  // update's --date and --title, from words[3] on, into `change`.
  bool parse_update_options(const std::vector<std::string>& words, EntryChange& change,
                            CommandError& error) const;

  Date today_;
  std::vector<std::string> global_options_;
};

}  // namespace todo
