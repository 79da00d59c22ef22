// todod's log: one line per event a person would act on, on stderr (the
// journal, under systemd). Pool threads, database workers, the idle reaper
// and RocksDB's own threads all log; each line goes out whole in one write, so
// lines from several threads never interleave.
//
// Thread safety: both functions may be called from any thread.
#pragma once

#include <string_view>

namespace todo {

// "todod: " and the message, as one line.
void log_event(std::string_view message);
// The line as it is, for the lines that name todod themselves ("todod 0.1.0
// serving ...").
void log_line(std::string_view line);

}  // namespace todo
