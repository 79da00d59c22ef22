#include "cli/command_outcome.hpp"

#include <iostream>
#include <optional>
#include <utility>
#include <vector>

#include "common/validation.hpp"

namespace todo {

void report(const ReplyPrinter& printer, std::string_view code, const std::string& message) {
  if (printer.is_json()) {
    std::cerr << printer.format_error(code, message) << "\n";
  } else {
    std::cerr << "todo: " << message << "\n";
  }
}

bool is_usage_failure(const Error& failure) { return failure.code == StatusCode::invalid_argument; }

int report_failure(const ReplyPrinter& printer, const Error& failure) {
  const bool is_usage = is_usage_failure(failure);
  report(printer, is_usage ? kUsageCode : kUnreachableCode, failure.message);
  return is_usage ? kExitUsage : kExitUnreachable;
}

bool is_change(CliCommand::Kind kind) {
  using Kind = CliCommand::Kind;
  return kind == Kind::add || kind == Kind::update || kind == Kind::done || kind == Kind::undone ||
         kind == Kind::erase || kind == Kind::drop || kind == Kind::undo || kind == Kind::rename ||
         kind == Kind::move;
}

void give_key(Command& command, IdempotencyKeySource& keys) {
  if (auto* list_command = std::get_if<ListCommand>(&command);
      list_command != nullptr && is_change(list_command->operation)) {
    list_command->key = keys.next();
  } else if (auto* undo = std::get_if<UndoLatest>(&command)) {
    undo->key = keys.next();
  }
}

bool is_worth_retrying(const Error& failure) { return !is_usage_failure(failure); }

std::string outcome_unknown(const Error& failure) {
  return "outcome unknown: sent to todod, but " + failure.message +
         "; it may or may not have been applied (look before retrying)";
}

std::string refusal(const Reply& reply) {
  if (reply.status == StatusCode::busy) return "todod is overloaded: " + reply.message;
  // What a todod answers a command or operation added after it was built.
  if (reply.message.starts_with("corrupt request: unknown command") ||
      reply.message.starts_with("corrupt request: unknown operation")) {
    return reply.message + " (this todod is older than this todo, and does not know it)";
  }
  return reply.message;
}

bool is_nothing_to_drop(CliCommand::Kind kind, const Reply& reply) {
  return kind == CliCommand::Kind::drop && reply.status == StatusCode::ok &&
         reply.message == kNothingToDropMessage;
}

std::string nothing_to_drop(const Command& command) {
  return "nothing to drop: list " + quoted_for_message(std::get<ListCommand>(command).list) +
         " holds no entry";
}

std::string_view list_of(const Command& command) {
  const auto* list_command = std::get_if<ListCommand>(&command);
  return list_command == nullptr ? std::string_view() : std::string_view(list_command->list);
}

Reply shown_entry(const Command& command, Reply reply) {
  if (reply.status != StatusCode::ok) return reply;
  const auto& list_command = std::get<ListCommand>(command);
  const EntryId id = std::get<GetEntries>(list_command.operation).after + 1;
  auto& page = std::get<std::vector<Entry>>(reply.payload);
  if (page.empty() || page.front().id != id) {
    return Reply::failure(reply.request_id,
                          Error::not_found("no entry " + std::to_string(id) + " in list " +
                                           quoted_for_message(list_command.list)));
  }
  Entry entry = std::move(page.front());
  reply.payload = std::move(entry);
  return reply;
}

}  // namespace todo
