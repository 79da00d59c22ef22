// What todo makes of an exchange with todod, for every command that has one:
// its exit codes, the codes of the JSON errors that are todo's own, how a
// failure or a refusal is said, which changes may be sent again, and the
// replies read as the user meant them (a show's page as one entry, an empty
// drop as nothing dropped).
//
// Thread safety: constants and functions; report() writes one line to stderr.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cli/client.hpp"
#include "cli/command_parser.hpp"
#include "cli/reply_printer.hpp"
#include "common/idempotency_key.hpp"
#include "common/protocol.hpp"

namespace todo {

inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitOutcomeUnknown = 4;

// The codes of the JSON errors that are todo's own, beside todod's
// (code_name).
inline constexpr std::string_view kUsageCode = "usage";
inline constexpr std::string_view kUnreachableCode = "unreachable";
inline constexpr std::string_view kOutcomeUnknownCode = "outcome_unknown";
// A drop answered "no" at its prompt.
inline constexpr std::string_view kCancelledCode = "cancelled";

// The wait before a change whose outcome is unknown is sent again.
inline constexpr std::chrono::milliseconds kRetryPause(250);

// A new connection to todod: each attempt gets its own, so that no reply
// to an attempt before can be taken for one to this attempt.
using ClientFactory = std::function<std::unique_ptr<Client>()>;

// Says on stderr why todo did not do what was asked: "todo: MESSAGE", or with
// --json the JSON error, so that a script can read its code.
void report(const ReplyPrinter& printer, std::string_view code, const std::string& message);
// An endpoint ZeroMQ cannot parse is the caller's usage error; anything else
// means todod could not be reached.
bool is_usage_failure(const Error& failure);
// Reports an exchange that failed; its exit code.
int report_failure(const ReplyPrinter& printer, const Error& failure);
// Whether an exchange that failed may succeed when tried again: not when the
// endpoint itself is wrong.
bool is_worth_retrying(const Error& failure);
// What a change that was sent and not answered says: retrying it blindly may
// apply it twice.
std::string outcome_unknown(const Error& failure);
// What todo says of a reply that is not ok.
std::string refusal(const Reply& reply);

bool is_change(CliCommand::Kind kind);
// Puts a new idempotency key on a change, so that it may be sent again.
void give_key(Command& command, IdempotencyKeySource& keys);

// The ok answer to a drop of a list that held nothing: said, and exit 1, so
// that a mistyped name is noticed rather than reported dropped.
bool is_nothing_to_drop(CliCommand::Kind kind, const Reply& reply);
std::string nothing_to_drop(const Command& command);
// The name of the list a command is about; empty for one about none.
std::string_view list_of(const Command& command);
// A show's reply, the page of at most one entry above ID - 1, as entry ID
// itself: not_found when the page holds another entry or none.
Reply shown_entry(const Command& command, Reply reply);

}  // namespace todo
