// The commands that go over many lists: export, import and agenda. Lists are
// read one after another, a page at a time, not at one instant: a change made
// meanwhile may or may not be seen.
//
// Thread safety: each run_* reads stdin or writes stdout; one at a time.
#pragma once

#include "cli/command_outcome.hpp"
#include "cli/command_parser.hpp"
#include "cli/reply_printer.hpp"
#include "common/date.hpp"

namespace todo {

// todo export [LIST...]: each list's entries, page after page, each line
// printed as it comes, so that memory stays flat however much is exported.
int run_export(const ClientFactory& connect, const CliCommand& command,
               const ReplyPrinter& printer);

// todo import [--list LIST]: the whole of stdin read and checked first, so
// that a mistake on its last line sends nothing; then every entry added,
// pipelined, each with an idempotency key, and those done marked done.
int run_import(const ClientFactory& connect, const CliCommand& command,
               const ReplyPrinter& printer);

// todo agenda [--days N]: the pending entries of every list dated up to
// today + N, the daemon choosing them (GetEntries::filter), so that what is
// done or later never travels.
int run_agenda(const ClientFactory& connect, const CliCommand& command, const ReplyPrinter& printer,
               Date today);

}  // namespace todo
