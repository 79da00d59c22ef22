// todo: the command-line client of todod. See `todo --help` and README.md.
//
// Exit codes: 0 ok; 1 the daemon refused the request (or, in batch, any
// command failed); 2 usage error; 3 the daemon could not be reached or did not
// answer within --timeout.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/client.hpp"
#include "cli/command_parser.hpp"
#include "cli/reply_printer.hpp"
#include "common/default_paths.hpp"

namespace {

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

constexpr const char* kGrammar = R"(Commands:
  add LIST DATE TITLE...            add an entry; prints its id
  entries LIST [DATE]               entries in id order: ID DATE [x] TITLE
  update LIST ID [--date D] [--title T]
  done LIST ID | undone LIST ID     mark an entry done or not done
  delete LIST ID                    delete an entry
  lists                             names of the lists that hold entries
  drop LIST                         delete a whole list
  ping                              version, uptime and counters: lists in memory,
                                    requests, errors, busy, writes, p99 latency, memory
  batch                             commands from stdin, one per line, pipelined;
                                    one output line per command, in input order
DATE is YYYY-MM-DD, today, tomorrow or yesterday.
Exit codes: 0 ok, 1 refused by todod, 2 usage error, 3 todod unreachable.)";

std::string refusal(const todo::Reply& reply) {
  if (reply.status == todo::StatusCode::busy) return "todod is overloaded: " + reply.message;
  return reply.message;
}

int run_one(todo::Client& client, const todo::CliCommand& command,
            const todo::ReplyPrinter& printer) {
  int exit_code = 0;
  auto exchanged = client.exchange({command.command}, [&](std::size_t, todo::Reply reply) {
    if (reply.status != todo::StatusCode::ok) {
      std::cerr << "todo: " << refusal(reply) << "\n";
      exit_code = kExitRefused;
      return;
    }
    const std::string text = printer.format(command.kind, reply);
    if (!text.empty()) std::cout << text << "\n";
  });
  if (!exchanged) {
    std::cerr << "todo: " << exchanged.error().message << "\n";
    return kExitUnreachable;
  }
  return exit_code;
}

int run_batch(todo::Client& client, const todo::CommandParser& parser,
              const todo::ReplyPrinter& printer) {
  std::vector<std::string> outputs;
  std::vector<todo::CliCommand::Kind> kinds;
  std::vector<todo::Command> commands;
  std::vector<std::size_t> line_of_command;
  bool has_failure = false;

  std::string line;
  std::vector<std::string> words;
  while (std::getline(std::cin, line)) {
    const std::size_t index = outputs.size();
    outputs.emplace_back();
    todo::CliCommand command;
    todo::CommandError error;
    if (!todo::CommandParser::split_words(line, words)) {
      error = {true, "unclosed quote"};
    } else if (words.empty()) {
      error = {true, "empty command"};
    } else if (parser.parse(words, command, error) &&
               command.kind == todo::CliCommand::Kind::batch) {
      error = {true, "batch cannot be nested"};
    } else if (error.message.empty()) {
      kinds.push_back(command.kind);
      commands.push_back(std::move(command.command));
      line_of_command.push_back(index);
      continue;
    }
    outputs[index] = printer.format_error(error.message);
    has_failure = true;
  }

  // Lines are printed in input order as soon as every line before them is done.
  std::vector<bool> is_ready(outputs.size(), false);
  for (std::size_t i = 0; i < outputs.size(); ++i) is_ready[i] = !outputs[i].empty();
  std::size_t next_to_print = 0;
  const auto print_ready = [&] {
    while (next_to_print < outputs.size() && is_ready[next_to_print]) {
      std::fwrite(outputs[next_to_print].data(), 1, outputs[next_to_print].size(), stdout);
      std::fputc('\n', stdout);
      std::string().swap(outputs[next_to_print]);
      ++next_to_print;
    }
  };
  print_ready();
  if (commands.empty()) return has_failure ? kExitRefused : 0;
  auto exchanged = client.exchange(commands, [&](std::size_t index, todo::Reply reply) {
    const std::size_t line_index = line_of_command[index];
    if (reply.status == todo::StatusCode::ok) {
      outputs[line_index] = printer.format(kinds[index], reply);
    } else {
      outputs[line_index] = printer.format_error(refusal(reply));
      has_failure = true;
    }
    is_ready[line_index] = true;
    print_ready();
  });
  if (!exchanged) {
    // Every line still gets its line, so the output stays aligned with the input.
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      if (!is_ready[i]) {
        outputs[i] = printer.format_error("no reply from todod");
        is_ready[i] = true;
      }
    }
    print_ready();
    std::fflush(stdout);
    std::cerr << "todo: " << exchanged.error().message << "\n";
    return kExitUnreachable;
  }
  std::fflush(stdout);
  return has_failure ? kExitRefused : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"todo: manage to-do lists kept by todod."};
  app.footer(kGrammar);
  app.set_version_flag("--version", std::string("todo ") + TODO_VERSION);
  app.prefix_command();
  std::string endpoint = todo::default_endpoint();
  int timeout_ms = 5000;
  bool is_json = false;
  app.add_option("--endpoint", endpoint, "todod's ZeroMQ endpoint")
      ->envname("TODO_ENDPOINT")
      ->capture_default_str();
  app.add_option("--timeout", timeout_ms, "milliseconds to wait for todod")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  app.add_flag("--json", is_json, "print JSON, for scripts");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "todo: " << e.what() << " (try --help)\n";
    return kExitUsage;
  }

  const todo::CommandParser parser(todo::local_today());
  todo::CliCommand command;
  todo::CommandError error;
  if (!parser.parse(app.remaining(), command, error)) {
    std::cerr << "todo: " << error.message << "\n";
    return error.is_usage ? kExitUsage : kExitRefused;
  }
  todo::Client client(endpoint, std::chrono::milliseconds(timeout_ms));
  if (command.kind == todo::CliCommand::Kind::batch) {
    return run_batch(client, parser, todo::ReplyPrinter(is_json, true));
  }
  return run_one(client, command, todo::ReplyPrinter(is_json, false));
}
