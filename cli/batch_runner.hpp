// todo batch: commands from stdin, one a line, pipelined on one connection,
// with one output line per input line, in input order (blank lines and
// comments have none). With --retry, every change carries an idempotency key,
// and after a failed exchange what is unanswered is sent again on a new
// connection, up to kMaxBatchRetries times: a change whose first send got
// through is answered its first answer, not applied again.
//
// Thread safety: run_batch() reads stdin and writes stdout; one at a time.
#pragma once

#include "cli/command_outcome.hpp"
#include "cli/command_parser.hpp"
#include "cli/reply_printer.hpp"

namespace todo {

// How often `batch --retry` sends again what is unanswered, waiting
// kRetryPause times the attempt's number before each: about 4 s of waiting
// in all, on top of --timeout per attempt, for a todod that restarts.
inline constexpr int kMaxBatchRetries = 5;

// The exit code: 0 when every line was answered ok.
int run_batch(const ClientFactory& connect, const CommandParser& parser,
              const ReplyPrinter& printer, bool is_retrying);

}  // namespace todo
