// todo: the command-line client of todod. See `todo --help` and README.md.
//
// Exit codes: 0 ok; 1 the daemon refused the request (or, in batch, any
// command failed); 2 usage error; 3 the daemon could not be reached or did not
// answer within --timeout; 4 a change was sent and no answer came, so it may
// or may not have been applied.
//
// A change carries an idempotency key, so that one whose outcome is unknown
// can be sent again without being applied twice: a single change is sent
// again once, on a new connection; `todo batch --retry` gives every change of
// the batch a key and sends what a lost connection left unanswered again, up
// to kMaxBatchRetries times.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/client.hpp"
#include "cli/command_parser.hpp"
#include "cli/entry_transfer.hpp"
#include "cli/reply_printer.hpp"
#include "cli/suggestion.hpp"
#include "common/curve_key_file.hpp"
#include "common/date_phrase.hpp"
#include "common/default_paths.hpp"
#include "common/validation.hpp"

namespace {

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;
constexpr int kExitOutcomeUnknown = 4;

// How often `batch --retry` sends again what is unanswered, waiting
// kRetryPause times the attempt's number before each: about 4 s of waiting
// in all, on top of --timeout per attempt, for a todod that restarts.
constexpr int kMaxBatchRetries = 5;
constexpr std::chrono::milliseconds kRetryPause(250);

// A new connection to todod: each attempt gets its own, so that no reply
// to an attempt before can be taken for one to this attempt.
using ClientFactory = std::function<std::unique_ptr<todo::Client>()>;

// The codes of the JSON errors that are todo's own, beside todod's
// (todo::code_name).
constexpr std::string_view kUsageCode = "usage";
constexpr std::string_view kUnreachableCode = "unreachable";
constexpr std::string_view kOutcomeUnknownCode = "outcome_unknown";
// A drop answered "no" at its prompt.
constexpr std::string_view kCancelledCode = "cancelled";

constexpr const char* kNotes = R"(
`todo COMMAND --help` shows one command's usage. Options go before or after the
command, as --name VALUE or --name=VALUE; -- ends them, and before a list name
passes one that starts with '-'.
DATE is YYYY-MM-DD, today, tomorrow, yesterday, a weekday (friday, next friday),
+3d, -1d, +2w, +1m, eow, eom or eoy.
Exit codes: 0 ok, 1 refused by todod, 2 usage error, 3 todod unreachable,
4 a change was sent but not answered: it may or may not have been applied.
With --json, errors are {"error":{"code","message"}} on stderr.)";

// Says on stderr why todo did not do what was asked: "todo: MESSAGE", or with
// --json the JSON error, so that a script can read its code.
void report(const todo::ReplyPrinter& printer, std::string_view code, const std::string& message) {
  if (printer.is_json()) {
    std::cerr << printer.format_error(code, message) << "\n";
  } else {
    std::cerr << "todo: " << message << "\n";
  }
}

// An endpoint ZeroMQ cannot parse is the caller's usage error; anything else
// means todod could not be reached.
bool is_usage_failure(const todo::Error& failure) {
  return failure.code == todo::StatusCode::invalid_argument;
}

// Reports an exchange that failed; its exit code.
int report_failure(const todo::ReplyPrinter& printer, const todo::Error& failure) {
  const bool is_usage = is_usage_failure(failure);
  report(printer, is_usage ? kUsageCode : kUnreachableCode, failure.message);
  return is_usage ? kExitUsage : kExitUnreachable;
}

bool is_change(todo::CliCommand::Kind kind) {
  using Kind = todo::CliCommand::Kind;
  return kind == Kind::add || kind == Kind::update || kind == Kind::done || kind == Kind::undone ||
         kind == Kind::erase || kind == Kind::drop;
}

// Puts a new idempotency key on a change, so that it may be sent again.
void give_key(todo::Command& command, todo::IdempotencyKeySource& keys) {
  if (auto* list_command = std::get_if<todo::ListCommand>(&command);
      list_command != nullptr && todo::is_change(list_command->operation)) {
    list_command->key = keys.next();
  }
}

// Whether an exchange that failed may succeed when tried again: not when the
// endpoint itself is wrong.
bool is_worth_retrying(const todo::Error& failure) { return !is_usage_failure(failure); }

// What a change that was sent and not answered says: retrying it blindly may
// apply it twice.
std::string outcome_unknown(const todo::Error& failure) {
  return "outcome unknown: sent to todod, but " + failure.message +
         "; it may or may not have been applied (look before retrying)";
}

std::string refusal(const todo::Reply& reply) {
  if (reply.status == todo::StatusCode::busy) return "todod is overloaded: " + reply.message;
  return reply.message;
}

// The ok answer to a drop of a list that held nothing: said, and exit 1, so
// that a mistyped name is noticed rather than reported dropped.
bool is_nothing_to_drop(todo::CliCommand::Kind kind, const todo::Reply& reply) {
  return kind == todo::CliCommand::Kind::drop && reply.status == todo::StatusCode::ok &&
         reply.message == todo::kNothingToDropMessage;
}

std::string nothing_to_drop(const todo::Command& command) {
  return "nothing to drop: list " +
         todo::quoted_for_message(std::get<todo::ListCommand>(command).list) + " holds no entry";
}

// The name of the list a command is about; empty for one about none.
std::string_view list_of(const todo::Command& command) {
  const auto* list_command = std::get_if<todo::ListCommand>(&command);
  return list_command == nullptr ? std::string_view() : std::string_view(list_command->list);
}

// A show's reply, the page of at most one entry above ID - 1, as entry ID
// itself: not_found when the page holds another entry or none.
todo::Reply shown_entry(const todo::Command& command, todo::Reply reply) {
  if (reply.status != todo::StatusCode::ok) return reply;
  const auto& list_command = std::get<todo::ListCommand>(command);
  const todo::EntryId id = std::get<todo::GetEntries>(list_command.operation).after + 1;
  auto& page = std::get<std::vector<todo::Entry>>(reply.payload);
  if (page.empty() || page.front().id != id) {
    return todo::Reply::failure(
        reply.request_id, todo::Error::not_found("no entry " + std::to_string(id) + " in list " +
                                                 todo::quoted_for_message(list_command.list)));
  }
  todo::Entry entry = std::move(page.front());
  reply.payload = std::move(entry);
  return reply;
}

// A drop cannot be undone, so todo asks on a terminal and elsewhere wants
// --yes: neither a stray line in a script nor a slip at the keyboard takes a
// list. 0 when the drop may go; else the exit code, the reason said.
int confirm_drop(const todo::CliCommand& command, const todo::ReplyPrinter& printer) {
  if (command.is_confirmed) return 0;
  const std::string list =
      todo::quoted_for_message(std::get<todo::ListCommand>(command.command).list);
  if (::isatty(STDIN_FILENO) == 0) {
    report(printer, kUsageCode,
           "drop deletes list " + list +
               " and every entry in it, for good: add --yes to confirm (todo asks only when "
               "its input is a terminal)");
    return kExitUsage;
  }
  std::cerr << "Drop list " << list << " and every entry in it, for good? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (answer == "y" || answer == "yes") return 0;
  report(printer, kCancelledCode, "not dropped");
  return kExitRefused;
}

// Every page of a paged read (`todo lists`, `todo entries LIST --after ID`),
// one after another, printed as one reply. advance_past(request, last) asks
// the next page after the last item of a full one; false if that would not
// move on, which a todod that keeps its order never makes happen.
template <class Item, class AdvancePast>
int run_every_page(todo::Client& client, const todo::CliCommand& command,
                   const todo::ReplyPrinter& printer, std::uint32_t limit,
                   AdvancePast advance_past) {
  todo::Command request = command.command;
  std::vector<Item> items;
  for (;;) {
    std::optional<todo::Reply> answered;
    auto exchanged = client.exchange(
        {request}, [&](std::size_t, todo::Reply reply) { answered = std::move(reply); });
    if (!exchanged) return report_failure(printer, exchanged.error());
    if (answered->status != todo::StatusCode::ok) {
      report(printer, todo::code_name(answered->status), refusal(*answered));
      return kExitRefused;
    }
    auto* page = std::get_if<std::vector<Item>>(&answered->payload);
    if (page == nullptr) {
      report(printer, todo::code_name(todo::StatusCode::internal),
             "todod answered a page with something else");
      return kExitRefused;
    }
    const bool is_last = page->size() < limit;
    if (!is_last && !advance_past(request, page->back())) {
      report(printer, todo::code_name(todo::StatusCode::internal),
             "todod sent a page that does not move on from the one before");
      return kExitRefused;
    }
    items.insert(items.end(), std::make_move_iterator(page->begin()),
                 std::make_move_iterator(page->end()));
    if (is_last) break;
  }
  const std::string text =
      printer.format(command.kind, todo::Reply{0, todo::StatusCode::ok, {}, std::move(items)},
                     list_of(command.command));
  if (!text.empty()) std::cout << text << "\n";
  return 0;
}

int run_every_page(todo::Client& client, const todo::CliCommand& command,
                   const todo::ReplyPrinter& printer) {
  if (const auto* names = std::get_if<todo::ListNames>(&command.command)) {
    return run_every_page<std::string>(client, command, printer, names->limit,
                                       [](todo::Command& request, const std::string& last) {
                                         auto& page = std::get<todo::ListNames>(request);
                                         if (last <= page.after) return false;
                                         page.after = last;
                                         return true;
                                       });
  }
  const auto& get =
      std::get<todo::GetEntries>(std::get<todo::ListCommand>(command.command).operation);
  return run_every_page<todo::Entry>(
      client, command, printer, get.limit, [](todo::Command& request, const todo::Entry& last) {
        auto& page = std::get<todo::GetEntries>(std::get<todo::ListCommand>(request).operation);
        if (last.id <= page.after) return false;
        page.after = last.id;
        return true;
      });
}

int run_one(const ClientFactory& connect, todo::CliCommand command,
            const todo::ReplyPrinter& printer) {
  auto client = connect();
  if (command.is_every_page) return run_every_page(*client, command, printer);
  todo::IdempotencyKeySource keys;
  give_key(command.command, keys);
  int exit_code = 0;
  const auto on_reply = [&](std::size_t, todo::Reply reply) {
    if (command.kind == todo::CliCommand::Kind::show) {
      reply = shown_entry(command.command, std::move(reply));
    }
    if (reply.status != todo::StatusCode::ok) {
      report(printer, todo::code_name(reply.status), refusal(reply));
      exit_code = kExitRefused;
      return;
    }
    if (is_nothing_to_drop(command.kind, reply)) {
      report(printer, todo::code_name(todo::StatusCode::not_found),
             nothing_to_drop(command.command));
      exit_code = kExitRefused;
      return;
    }
    const std::string text = printer.format(command.kind, reply, list_of(command.command));
    if (!text.empty()) std::cout << text << "\n";
  };
  auto exchanged = client->exchange({command.command}, on_reply);
  if (!exchanged && is_change(command.kind) && client->is_outcome_unknown(0)) {
    // Once more with the same key, on a new connection: todod answers what
    // it answered the first time, if the first one got there.
    if (is_worth_retrying(exchanged.error())) {
      std::this_thread::sleep_for(kRetryPause);
      client = connect();
      if (client->exchange({command.command}, on_reply)) return exit_code;
    }
    report(printer, kOutcomeUnknownCode, outcome_unknown(exchanged.error()));
    return kExitOutcomeUnknown;
  }
  if (!exchanged) return report_failure(printer, exchanged.error());
  return exit_code;
}

// One stdin line of a batch as a command; false, with `error`, for a line
// that is not one.
bool parse_batch_line(const todo::CommandParser& parser, const std::string& line,
                      todo::CliCommand& command, todo::CommandError& error) {
  std::vector<std::string> words;
  if (!todo::CommandParser::split_words(line, words)) {
    error = {true, "unclosed quote"};
    return false;
  }
  if (!parser.parse(words, command, error)) return false;
  if (command.kind == todo::CliCommand::Kind::batch) {
    error = {true, "batch cannot be nested"};
    return false;
  }
  if (command.kind == todo::CliCommand::Kind::drop && !command.is_confirmed) {
    error = {true, "a drop in a batch needs --yes (drop LIST --yes): it cannot be undone"};
    return false;
  }
  using Kind = todo::CliCommand::Kind;
  for (const auto& [kind, verb] :
       {std::pair{Kind::help, "help"}, std::pair{Kind::keygen, "keygen"},
        std::pair{Kind::export_entries, "export"}, std::pair{Kind::import_entries, "import"},
        std::pair{Kind::backup, "backup"}, std::pair{Kind::agenda, "agenda"}}) {
    if (command.kind == kind) {
      error = {true, std::string(verb) + " is not a batch command"};
      return false;
    }
  }
  return true;
}

// Whether a batch line holds no command: blank, or a comment from '#' on.
bool is_blank_or_comment(const std::string& line) {
  const std::size_t first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line[first] == '#';
}

// A batch as read from stdin: the commands to send, and for each input line
// that is not a command its output line, an error, already. Blank lines and
// comments have no output line.
struct Batch {
  std::vector<std::string> outputs;  // by input line; empty until known
  std::vector<todo::CliCommand::Kind> kinds;
  std::vector<todo::Command> commands;
  std::vector<std::size_t> line_of_command;
  bool has_failure = false;
};

Batch read_batch(const todo::CommandParser& parser, const todo::ReplyPrinter& printer) {
  Batch batch;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (is_blank_or_comment(line)) continue;
    const std::size_t index = batch.outputs.size();
    batch.outputs.emplace_back();
    todo::CliCommand command;
    todo::CommandError error;
    if (!parse_batch_line(parser, line, command, error)) {
      batch.outputs[index] = printer.format_error(
          error.is_usage ? kUsageCode : todo::code_name(todo::StatusCode::invalid_argument),
          error.message);
      batch.has_failure = true;
    } else if (command.is_every_page) {
      // One line answers one request; every page would be many.
      batch.outputs[index] = printer.format_error(
          kUsageCode,
          "in a batch, a paged read needs --limit N, one page a line (todo " +
              std::string(command.kind == todo::CliCommand::Kind::lists ? "lists" : "entries") +
              " outside a batch reads every page)");
      batch.has_failure = true;
    } else {
      batch.kinds.push_back(command.kind);
      batch.commands.push_back(std::move(command.command));
      batch.line_of_command.push_back(index);
    }
  }
  return batch;
}

// A batch's output lines, one per input line, each printed as soon as every
// line before it is done, so that replies arriving in any order come out in
// input order.
class BatchOutput {
 public:
  // lines: the ones known already; empty for those still to come.
  explicit BatchOutput(std::vector<std::string> lines)
      : lines_(std::move(lines)), is_ready_(lines_.size(), false) {
    for (std::size_t i = 0; i < lines_.size(); ++i) is_ready_[i] = !lines_[i].empty();
  }

  void set(std::size_t line, std::string text) {
    lines_[line] = std::move(text);
    is_ready_[line] = true;
    print_ready();
  }

  // Gives every line still to come `text`, so that the output stays aligned
  // with the input.
  void fill_missing(const std::string& text) {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (!is_ready_[i]) {
        lines_[i] = text;
        is_ready_[i] = true;
      }
    }
    print_ready();
  }

  void print_ready() {
    while (next_to_print_ < lines_.size() && is_ready_[next_to_print_]) {
      std::fwrite(lines_[next_to_print_].data(), 1, lines_[next_to_print_].size(), stdout);
      std::fputc('\n', stdout);
      std::string().swap(lines_[next_to_print_]);
      ++next_to_print_;
    }
  }

 private:
  std::vector<std::string> lines_;
  std::vector<bool> is_ready_;
  std::size_t next_to_print_ = 0;
};

// With is_retrying, every change carries an idempotency key, and after a
// failed exchange what is unanswered is sent again on a new connection, up to
// kMaxBatchRetries times: a change whose first send got through is answered
// its first answer, not applied again.
int run_batch(const ClientFactory& connect, const todo::CommandParser& parser,
              const todo::ReplyPrinter& printer, bool is_retrying) {
  Batch batch = read_batch(parser, printer);
  BatchOutput output(std::move(batch.outputs));
  output.print_ready();
  if (batch.commands.empty()) return batch.has_failure ? kExitRefused : 0;
  if (is_retrying) {
    todo::IdempotencyKeySource keys;
    for (todo::Command& command : batch.commands) give_key(command, keys);
  }
  // The commands of this attempt, by their index in the batch.
  std::vector<std::size_t> unanswered(batch.commands.size());
  for (std::size_t i = 0; i < unanswered.size(); ++i) unanswered[i] = i;
  // Changes sent at least once and not answered since: their outcome is
  // unknown if no later attempt answers them.
  std::vector<bool> is_unknown(batch.commands.size(), false);
  std::unique_ptr<todo::Client> client;
  todo::Result<void> exchanged;
  for (int attempt = 0;; ++attempt) {
    std::vector<todo::Command> commands;
    commands.reserve(unanswered.size());
    for (std::size_t index : unanswered) commands.push_back(batch.commands[index]);
    std::vector<bool> is_answered(unanswered.size(), false);
    client = connect();
    if (is_retrying) client->set_window_from_oldest_unanswered();
    exchanged = client->exchange(commands, [&](std::size_t sent, todo::Reply reply) {
      is_answered[sent] = true;
      const std::size_t index = unanswered[sent];
      is_unknown[index] = false;
      const std::size_t line = batch.line_of_command[index];
      const todo::Command& command = batch.commands[index];
      if (batch.kinds[index] == todo::CliCommand::Kind::show) {
        reply = shown_entry(command, std::move(reply));
      }
      if (is_nothing_to_drop(batch.kinds[index], reply)) {
        output.set(line, printer.format_error(todo::code_name(todo::StatusCode::not_found),
                                              nothing_to_drop(command)));
        batch.has_failure = true;
      } else if (reply.status == todo::StatusCode::ok) {
        output.set(line, printer.format(batch.kinds[index], reply, list_of(command)));
      } else {
        output.set(line, printer.format_error(todo::code_name(reply.status), refusal(reply)));
        batch.has_failure = true;
      }
    });
    if (exchanged) break;
    std::vector<std::size_t> left;
    for (std::size_t sent = 0; sent < unanswered.size(); ++sent) {
      if (is_answered[sent]) continue;
      const std::size_t index = unanswered[sent];
      if (client->is_outcome_unknown(sent) && is_change(batch.kinds[index])) {
        is_unknown[index] = true;
      }
      left.push_back(index);
    }
    if (!is_retrying || attempt == kMaxBatchRetries || !is_worth_retrying(exchanged.error())) {
      break;
    }
    report(printer, kUnreachableCode,
           exchanged.error().message + "; sending " + std::to_string(left.size()) +
               " unanswered commands again, with the same keys (retry " +
               std::to_string(attempt + 1) + " of " + std::to_string(kMaxBatchRetries) + ")");
    unanswered = std::move(left);
    std::this_thread::sleep_for(kRetryPause * (attempt + 1));
  }
  if (!exchanged) {
    bool is_any_unknown = false;
    for (std::size_t i = 0; i < batch.commands.size(); ++i) {
      if (!is_unknown[i]) continue;
      output.set(batch.line_of_command[i],
                 printer.format_error(kOutcomeUnknownCode, outcome_unknown(exchanged.error())));
      is_any_unknown = true;
    }
    output.fill_missing(printer.format_error(kUnreachableCode, "no reply from todod"));
    std::fflush(stdout);
    const int failed = report_failure(printer, exchanged.error());
    return is_any_unknown ? kExitOutcomeUnknown : failed;
  }
  std::fflush(stdout);
  return batch.has_failure ? kExitRefused : 0;
}

// One exchange of one request; its reply, or the exchange's failure.
todo::Result<todo::Reply> ask(todo::Client& client, todo::Command request) {
  std::optional<todo::Reply> answered;
  auto exchanged = client.exchange(
      {std::move(request)}, [&](std::size_t, todo::Reply reply) { answered = std::move(reply); });
  if (!exchanged) return exchanged.error();
  return std::move(*answered);
}

// todo export [LIST...]: each list's entries, page after page, each line
// printed as it comes, so that memory stays flat however much is exported.
// Lists are read one after another, not at one instant: a change made
// meanwhile may or may not be in the export.
int run_export(const ClientFactory& connect, const todo::CliCommand& command,
               const todo::ReplyPrinter& printer) {
  auto client = connect();
  std::vector<std::string> lists = command.export_lists;
  for (todo::ListNames page{.after = {}, .limit = todo::ListNames::kMaxLimit};
       command.export_lists.empty();) {
    auto reply = ask(*client, page);
    if (!reply) return report_failure(printer, reply.error());
    if (reply.value().status != todo::StatusCode::ok) {
      report(printer, todo::code_name(reply.value().status), refusal(reply.value()));
      return kExitRefused;
    }
    auto& names = std::get<std::vector<std::string>>(reply.value().payload);
    const bool is_last = names.size() < page.limit;
    if (!names.empty()) page.after = names.back();
    lists.insert(lists.end(), std::make_move_iterator(names.begin()),
                 std::make_move_iterator(names.end()));
    if (is_last) break;
  }
  for (const std::string& list : lists) {
    for (todo::EntryId after = 0;;) {
      auto reply = ask(
          *client, todo::ListCommand{list, todo::GetEntries{.date = std::nullopt,
                                                            .after = after,
                                                            .limit = todo::GetEntries::kMaxLimit}});
      if (!reply) return report_failure(printer, reply.error());
      if (reply.value().status != todo::StatusCode::ok) {
        report(printer, todo::code_name(reply.value().status), refusal(reply.value()));
        return kExitRefused;
      }
      const auto& entries = std::get<std::vector<todo::Entry>>(reply.value().payload);
      for (const todo::Entry& entry : entries) std::cout << todo::export_line(list, entry) << '\n';
      if (entries.size() < todo::GetEntries::kMaxLimit) break;
      after = entries.back().id;
    }
  }
  std::cout.flush();
  return 0;
}

// todo import [--list LIST]: the whole of stdin read and checked first, so
// that a mistake on its last line sends nothing; then every entry added,
// pipelined, each with an idempotency key, and those done marked done.
int run_import(const ClientFactory& connect, const todo::CliCommand& command,
               const todo::ReplyPrinter& printer) {
  const std::string input(std::istreambuf_iterator<char>(std::cin), {});
  auto plan = todo::parse_import(input, command.import_list, todo::local_today());
  if (!plan) {
    report(printer, todo::code_name(plan.error().code),
           "nothing imported: " + plan.error().message);
    return kExitRefused;
  }
  const std::vector<todo::ImportedEntry>& entries = plan.value().entries;
  todo::IdempotencyKeySource keys;
  std::vector<todo::Command> adds;
  adds.reserve(entries.size());
  for (const todo::ImportedEntry& entry : entries) {
    adds.push_back(todo::ListCommand{entry.list, todo::AddEntry{entry.date, entry.title}});
    give_key(adds.back(), keys);
  }
  std::vector<todo::Command> dones;
  std::size_t refused = 0;
  std::size_t not_marked_done = 0;
  std::optional<todo::Reply> first_refusal;
  const auto on_add = [&](std::size_t index, todo::Reply reply) {
    if (reply.status != todo::StatusCode::ok) {
      if (!first_refusal) first_refusal = std::move(reply);
      ++refused;
    } else if (entries[index].is_done) {
      todo::UpdateEntry done{.id = std::get<todo::EntryId>(reply.payload), .change = {}};
      done.change.done = true;
      dones.push_back(todo::ListCommand{entries[index].list, done});
      give_key(dones.back(), keys);
    }
  };
  auto client = connect();
  auto added = client->exchange(adds, on_add);
  if (added) {
    added = client->exchange(dones, [&](std::size_t, todo::Reply reply) {
      if (reply.status == todo::StatusCode::ok) return;
      ++not_marked_done;
      if (!first_refusal) first_refusal = std::move(reply);
    });
  }
  if (!added) {
    report(printer, kOutcomeUnknownCode,
           outcome_unknown(added.error()) +
               " (some entries may be imported: todo export shows which)");
    return kExitOutcomeUnknown;
  }
  std::vector<std::string> lists;
  for (const todo::ImportedEntry& entry : entries) lists.push_back(entry.list);
  std::sort(lists.begin(), lists.end());
  lists.erase(std::unique(lists.begin(), lists.end()), lists.end());
  const std::size_t imported = entries.size() - refused;
  if (printer.is_json()) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"imported", imported},
                                         {"lists", lists.size()},
                                         {"refused", refused},
                                         {"deleted_skipped", plan.value().deleted_skipped}})
              << "\n";
  } else {
    std::cout << "imported " << imported << " entries into " << lists.size() << " lists"
              << (plan.value().deleted_skipped == 0
                      ? ""
                      : ", skipped " + std::to_string(plan.value().deleted_skipped) +
                            " deleted tasks")
              << "\n";
  }
  if (first_refusal) {
    report(printer, todo::code_name(first_refusal->status),
           "not all imported: " + std::to_string(refused) + " entries refused, " +
               std::to_string(not_marked_done) +
               " not marked done; the first refusal: " + refusal(*first_refusal));
    return kExitRefused;
  }
  return 0;
}

// Every list's name, page after page, as todo lists reads them, into lists;
// 0, or the exit code, the failure reported.
int read_every_list_name(todo::Client& client, const todo::ReplyPrinter& printer,
                         std::vector<std::string>& lists) {
  for (todo::ListNames page{.after = {}, .limit = todo::ListNames::kMaxLimit};;) {
    auto reply = ask(client, page);
    if (!reply) return report_failure(printer, reply.error());
    if (reply.value().status != todo::StatusCode::ok) {
      report(printer, todo::code_name(reply.value().status), refusal(reply.value()));
      return kExitRefused;
    }
    auto& names = std::get<std::vector<std::string>>(reply.value().payload);
    const bool is_last = names.size() < page.limit;
    if (!names.empty()) page.after = names.back();
    lists.insert(lists.end(), std::make_move_iterator(names.begin()),
                 std::make_move_iterator(names.end()));
    if (is_last) return 0;
  }
}

// todo agenda [--days N]: the pending entries of every list dated up to
// today + N, the daemon choosing them (GetEntries::filter), so that what is
// done or later never travels. Lists are read one after another, as export
// reads them.
int run_agenda(const ClientFactory& connect, const todo::CliCommand& command,
               const todo::ReplyPrinter& printer, todo::Date today) {
  auto client = connect();
  std::vector<std::string> lists;
  if (const int failed = read_every_list_name(*client, printer, lists); failed != 0) {
    return failed;
  }
  todo::EntryFilter due;
  due.done = todo::DoneState::pending;
  due.to = today.plus_days(static_cast<std::int32_t>(command.agenda_days));
  std::vector<todo::ListedEntry> agenda;
  for (const std::string& list : lists) {
    for (todo::EntryId after = 0;;) {
      auto reply = ask(
          *client, todo::ListCommand{list, todo::GetEntries{.date = std::nullopt,
                                                            .after = after,
                                                            .limit = todo::GetEntries::kMaxLimit,
                                                            .filter = due}});
      if (!reply) return report_failure(printer, reply.error());
      if (reply.value().status != todo::StatusCode::ok) {
        report(printer, todo::code_name(reply.value().status), refusal(reply.value()));
        return kExitRefused;
      }
      auto& entries = std::get<std::vector<todo::Entry>>(reply.value().payload);
      const bool is_last = entries.size() < todo::GetEntries::kMaxLimit;
      if (!entries.empty()) after = entries.back().id;
      for (todo::Entry& entry : entries) agenda.push_back({list, std::move(entry)});
      if (is_last) break;
    }
  }
  const std::string text = printer.format_agenda(std::move(agenda), today);
  if (!text.empty()) std::cout << text << "\n";
  return 0;
}

// Whether text output gets colour: --color=always or never, or with auto
// (the default) when stdout is a terminal that is not "dumb" and NO_COLOR
// (no-color.org) is unset or empty.
bool is_colored(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) != 0 && (no_color == nullptr || *no_color == '\0') &&
         (term == nullptr || std::string_view(term) != "dumb");
}

// todo keygen FILE.
int write_key_pair(const std::string& file, const todo::ReplyPrinter& printer) {
  auto keys = todo::generate_curve_key_pair();
  if (keys) {
    if (auto written = todo::write_curve_key_pair(file, keys.value()); !written) {
      keys = written.error();
    }
  }
  if (!keys) {
    report(printer, todo::code_name(keys.error().code), keys.error().message);
    return kExitRefused;
  }
  std::cout << "public key " << keys.value().public_key << "\n"
            << "wrote " << file << " (secret, mode 0600) and " << file << ".pub\n";
  return 0;
}

// What --curve-key, --server-key and --insecure-tcp ask for.
struct TcpFlags {
  std::string key_file;
  std::string server_key;  // Z85, or a file holding it
  bool is_insecure_allowed = false;
};

todo::Result<todo::TcpCredentials> credentials_of(const TcpFlags& flags) {
  todo::TcpCredentials credentials{.allows_plaintext_loopback = flags.is_insecure_allowed};
  if (flags.key_file.empty()) return credentials;
  auto keys = todo::read_curve_key_pair(flags.key_file);
  if (!keys) return keys.error();
  credentials.client_keys = std::move(keys).value();
  // A file first: a 40-character path can look like a key.
  std::error_code ignored;
  if (!std::filesystem::exists(flags.server_key, ignored) &&
      todo::is_curve_key_text(flags.server_key)) {
    credentials.server_key = flags.server_key;
  } else {
    auto from_file = todo::read_curve_public_key(flags.server_key);
    if (!from_file) {
      return todo::Error::invalid(
          "--server-key is neither a Z85 key (40 characters) nor a file "
          "holding one: " +
          from_file.error().message);
    }
    credentials.server_key = std::move(from_file).value();
  }
  return credentials;
}

// The long names of todo's own options, for suggestions.
std::vector<std::string> global_option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& long_name : option->get_lnames()) names.push_back("--" + long_name);
  }
  return names;
}

// The command line split in two: todo's own options, for CLI11, and the
// command with its arguments. todo's options may come before the command or
// after it, as git's and kubectl's do, up to a `--`; before the command, any
// word starting with '-' is taken as one of them (or refused as unknown),
// and after it --help and -h ask for the command's usage, not todo's.
struct Arguments {
  std::vector<std::string> options;
  std::vector<std::string> command;
};

todo::Result<Arguments> split_arguments(const CLI::App& app, int argc, char** argv) {
  Arguments arguments;
  bool is_literal = false;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    is_literal = is_literal || word == "--";
    const bool is_before_command = arguments.command.empty();
    if (is_literal || !word.starts_with('-') || word == "-") {
      arguments.command.push_back(word);
      continue;
    }
    const std::string name = word.substr(0, word.find('='));
    const CLI::Option* option = app.get_option_no_throw(name);
    const bool is_help = name == "--help" || name == "-h";
    if (is_before_command && option == nullptr) {
      const std::vector<std::string> names = global_option_names(app);
      const std::vector<std::string_view> candidates(names.begin(), names.end());
      return todo::Error::invalid("unknown option '" + name + "'" +
                                  todo::did_you_mean(name, candidates) + " (try todo --help)");
    }
    if (option == nullptr || (is_help && !is_before_command)) {
      arguments.command.push_back(word);
      continue;
    }
    arguments.options.push_back(word);
    const bool takes_value = option->get_items_expected_min() > 0 && name.size() == word.size();
    if (takes_value && i + 1 < argc) arguments.options.push_back(argv[++i]);
  }
  return arguments;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"todo: manage to-do lists kept by todod.", "todo"};
  app.footer(todo::command_usage("") + kNotes);
  app.set_version_flag("--version", std::string("todo ") + TODO_VERSION);
  std::string endpoint = todo::default_endpoint();
  int timeout_ms = 5000;
  bool is_json = false;
  app.add_option("--endpoint", endpoint, "todod's ZeroMQ endpoint")
      ->type_name("ENDPOINT")
      ->envname("TODO_ENDPOINT")
      ->capture_default_str();
  app.add_option("--timeout", timeout_ms, "milliseconds to wait for todod, 1 to 3600000")
      ->type_name("MS")
      ->check(CLI::Range(1, 3'600'000).description(""))
      ->capture_default_str();
  app.add_flag("--json", is_json, "print JSON, for scripts");
  std::string color = "auto";
  app.add_option("--color", color,
                 "colour done and overdue entries: auto (on a terminal, unless NO_COLOR is "
                 "set), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  TcpFlags tcp;
  auto* key = app.add_option("--curve-key", tcp.key_file,
                             "this client's CURVE key pair (todo keygen), for tcp://")
                  ->type_name("FILE")
                  ->envname("TODO_CURVE_KEY");
  app.add_option("--server-key", tcp.server_key,
                 "todod's CURVE public key, or a file holding it (todod's start line shows it)")
      ->type_name("KEY")
      ->envname("TODO_SERVER_KEY")
      ->needs(key);
  key->needs("--server-key");
  app.add_flag("--insecure-tcp", tcp.is_insecure_allowed,
               "allow tcp:// without CURVE, to a loopback address only");
  app.set_config("--config", todo::default_config_file().string(),
                 "read these options from a file (KEY = VALUE lines: endpoint, curve-key, "
                 "server-key, timeout)");
  app.allow_config_extras(CLI::config_extras_mode::error);
  // Known before the command line is parsed, so that errors in it come out as
  // JSON too.
  const std::vector<std::string> words(argv + 1, argv + argc);
  const auto options_end = std::find(words.begin(), words.end(), "--");
  const bool is_json_asked = std::find(words.begin(), options_end, "--json") != options_end;
  auto arguments = split_arguments(app, argc, argv);
  const todo::ReplyPrinter early_printer(is_json_asked, false);
  if (!arguments) {
    report(early_printer, kUsageCode, arguments.error().message);
    return kExitUsage;
  }
  try {
    // CLI11 takes its words last first.
    app.parse(std::vector<std::string>(arguments.value().options.rbegin(),
                                       arguments.value().options.rend()));
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    report(early_printer, kUsageCode, std::string(e.what()) + " (try todo --help)");
    return kExitUsage;
  }
  const todo::Date today = todo::local_today();
  const todo::ReplyPrinter printer(is_json, false, {is_colored(color), today});

  const todo::CommandParser parser(today, global_option_names(app));
  todo::CliCommand command;
  todo::CommandError error;
  if (!parser.parse(arguments.value().command, command, error)) {
    report(printer,
           error.is_usage ? kUsageCode : todo::code_name(todo::StatusCode::invalid_argument),
           error.message);
    return error.is_usage ? kExitUsage : kExitRefused;
  }
  if (command.kind == todo::CliCommand::Kind::help) {
    std::cout << todo::command_usage(command.help_topic) << "\n";
    return 0;
  }
  if (command.kind == todo::CliCommand::Kind::keygen) {
    return write_key_pair(command.key_file, printer);
  }
  auto credentials = credentials_of(tcp);
  if (!credentials) {
    report(printer, kUsageCode, credentials.error().message);
    return kExitUsage;
  }
  const ClientFactory connect = [&, tcp_credentials = std::move(credentials).value()] {
    return std::make_unique<todo::Client>(endpoint, std::chrono::milliseconds(timeout_ms),
                                          tcp_credentials);
  };
  if (command.kind == todo::CliCommand::Kind::batch) {
    return run_batch(connect, parser, todo::ReplyPrinter(is_json, true), command.is_retrying);
  }
  if (command.kind == todo::CliCommand::Kind::export_entries) {
    return run_export(connect, command, printer);
  }
  if (command.kind == todo::CliCommand::Kind::import_entries) {
    return run_import(connect, command, printer);
  }
  if (command.kind == todo::CliCommand::Kind::agenda) {
    return run_agenda(connect, command, printer, today);
  }
  if (command.kind == todo::CliCommand::Kind::drop) {
    if (const int refused = confirm_drop(command, printer); refused != 0) return refused;
  }
  if (command.kind == todo::CliCommand::Kind::backup) {
    auto& backup = std::get<todo::MakeBackup>(command.command);
    std::error_code ignored;
    backup.directory = std::filesystem::absolute(backup.directory, ignored).lexically_normal();
    // A backup takes as long as copying what changed: an hour unless told.
    if (app.count("--timeout") == 0) timeout_ms = 3'600'000;
  }
  return run_one(connect, std::move(command), printer);
}
