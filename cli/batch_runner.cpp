#include "cli/batch_runner.hpp"

#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace todo {
namespace {

// One stdin line of a batch as a command; false, with `error`, for a line
// that is not one.
bool parse_batch_line(const CommandParser& parser, const std::string& line, CliCommand& command,
                      CommandError& error) {
  std::vector<std::string> words;
  if (!CommandParser::split_words(line, words)) {
    error = {true, "unclosed quote"};
    return false;
  }
  if (!parser.parse(words, command, error)) return false;
  if (command.kind == CliCommand::Kind::batch) {
    error = {true, "batch cannot be nested"};
    return false;
  }
  if (command.kind == CliCommand::Kind::drop && !command.is_confirmed) {
    error = {true, "a drop in a batch needs --yes (drop LIST --yes): a batch cannot ask"};
    return false;
  }
  using Kind = CliCommand::Kind;
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
  std::vector<CliCommand::Kind> kinds;
  std::vector<Command> commands;
  std::vector<std::size_t> line_of_command;
  bool has_failure = false;
};

Batch read_batch(const CommandParser& parser, const ReplyPrinter& printer) {
  Batch batch;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (is_blank_or_comment(line)) continue;
    const std::size_t index = batch.outputs.size();
    batch.outputs.emplace_back();
    CliCommand command;
    CommandError error;
    if (!parse_batch_line(parser, line, command, error)) {
      batch.outputs[index] = printer.format_error(
          error.is_usage ? kUsageCode : code_name(StatusCode::invalid_argument), error.message);
      batch.has_failure = true;
    } else if (command.is_every_page) {
      // One line answers one request; every page would be many.
      batch.outputs[index] = printer.format_error(
          kUsageCode,
          "in a batch, a paged read needs --limit N, one page a line (todo " +
              std::string(command.kind == CliCommand::Kind::lists ? "lists" : "entries") +
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

}  // namespace

int run_batch(const ClientFactory& connect, const CommandParser& parser,
              const ReplyPrinter& printer, bool is_retrying) {
  Batch batch = read_batch(parser, printer);
  BatchOutput output(std::move(batch.outputs));
  output.print_ready();
  if (batch.commands.empty()) return batch.has_failure ? kExitRefused : 0;
  if (is_retrying) {
    IdempotencyKeySource keys;
    for (Command& command : batch.commands) give_key(command, keys);
  }
  // The commands of this attempt, by their index in the batch.
  std::vector<std::size_t> unanswered(batch.commands.size());
  for (std::size_t i = 0; i < unanswered.size(); ++i) unanswered[i] = i;
  // Changes sent at least once and not answered since: their outcome is
  // unknown if no later attempt answers them.
  std::vector<bool> is_unknown(batch.commands.size(), false);
  std::unique_ptr<Client> client;
  Result<void> exchanged;
  for (int attempt = 0;; ++attempt) {
    std::vector<Command> commands;
    commands.reserve(unanswered.size());
    for (std::size_t index : unanswered) commands.push_back(batch.commands[index]);
    std::vector<bool> is_answered(unanswered.size(), false);
    client = connect();
    if (is_retrying) client->set_window_from_oldest_unanswered();
    exchanged = client->exchange(commands, [&](std::size_t sent, Reply reply) {
      is_answered[sent] = true;
      const std::size_t index = unanswered[sent];
      is_unknown[index] = false;
      const std::size_t line = batch.line_of_command[index];
      const Command& command = batch.commands[index];
      if (batch.kinds[index] == CliCommand::Kind::show) {
        reply = shown_entry(command, std::move(reply));
      }
      if (is_nothing_to_drop(batch.kinds[index], reply)) {
        output.set(
            line, printer.format_error(code_name(StatusCode::not_found), nothing_to_drop(command)));
        batch.has_failure = true;
      } else if (reply.status == StatusCode::ok) {
        output.set(line, printer.format(batch.kinds[index], reply, list_of(command)));
      } else {
        output.set(line, printer.format_error(code_name(reply.status), refusal(reply)));
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

}  // namespace todo
