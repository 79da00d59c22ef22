#include "daemon/runtime/log.hpp"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace todo {
namespace {

// Writes the whole of line, newline included, to stderr. A pipe takes a write
// of up to PIPE_BUF bytes whole; a longer line may be taken in parts, which
// this finishes.
void write_whole(std::string_view line) {
  while (!line.empty()) {
    const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to say it
    }
    line.remove_prefix(static_cast<std::size_t>(written));
  }
}

// prefix, text and a newline, built once.
void write_line(std::string_view prefix, std::string_view text) {
  std::string line;
  line.reserve(prefix.size() + text.size() + 1);
  line += prefix;
  line += text;
  line += '\n';
  write_whole(line);
}

}  // namespace

void log_line(std::string_view line) { write_line({}, line); }

void log_event(std::string_view message) { write_line("todod: ", message); }

}  // namespace todo
