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

#include "cli/batch_runner.hpp"
#include "cli/client.hpp"
#include "cli/command_outcome.hpp"
#include "cli/command_parser.hpp"
#include "cli/every_list_commands.hpp"
#include "cli/paged_read.hpp"
#include "cli/reply_printer.hpp"
#include "cli/suggestion.hpp"
#include "common/curve_key_file.hpp"
#include "common/date_phrase.hpp"
#include "common/default_paths.hpp"
#include "common/validation.hpp"

namespace {

using todo::ClientFactory;
using todo::kCancelledCode;
using todo::kExitOutcomeUnknown;
using todo::kExitRefused;
using todo::kExitUsage;
using todo::kOutcomeUnknownCode;
using todo::kRetryPause;
using todo::kUsageCode;

constexpr const char* kNotes = R"(
`todo COMMAND --help` shows one command's usage. Options go before or after the
command, as --name VALUE or --name=VALUE; -- ends them, and before a list name
passes one that starts with '-'.
DATE is YYYY-MM-DD, today, tomorrow, yesterday, a weekday (friday, next friday),
+3d, -1d, +2w, +1m, eow, eom or eoy.
Exit codes: 0 ok, 1 refused by todod, 2 usage error, 3 todod unreachable,
4 a change was sent but not answered: it may or may not have been applied.
With --json, errors are {"error":{"code","message"}} on stderr.)";

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
               " and every entry in it: add --yes to confirm (todo asks only when "
               "its input is a terminal)");
    return kExitUsage;
  }
  std::cerr << "Drop list " << list << " and every entry in it? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (answer == "y" || answer == "yes") return 0;
  report(printer, kCancelledCode, "not dropped");
  return kExitRefused;
}

// Every page of a paged read (`todo lists`, `todo entries LIST --after ID`),
// one after another, printed as one reply.
template <class Item>
int run_every_page(todo::Client& client, const todo::CliCommand& command,
                   const todo::ReplyPrinter& printer) {
  std::vector<Item> items;
  const int failed =
      todo::read_every_page<Item>(client, printer, command.command, [&](std::vector<Item>& page) {
        items.insert(items.end(), std::make_move_iterator(page.begin()),
                     std::make_move_iterator(page.end()));
      });
  if (failed != 0) return failed;
  const std::string text =
      printer.format(command.kind, todo::Reply{0, todo::StatusCode::ok, {}, std::move(items)},
                     list_of(command.command));
  if (!text.empty()) std::cout << text << "\n";
  return 0;
}

int run_every_page(todo::Client& client, const todo::CliCommand& command,
                   const todo::ReplyPrinter& printer) {
  if (std::holds_alternative<todo::ListNames>(command.command)) {
    return run_every_page<std::string>(client, command, printer);
  }
  return run_every_page<todo::Entry>(client, command, printer);
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
