#include "daemon/runtime/log.hpp"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace todo {

void log_line(std::string_view line) {
  std::string whole;
  whole.reserve(line.size() + 1);
  whole += line;
  whole += '\n';
  // A pipe takes a write of up to PIPE_BUF bytes whole; a longer line may be
  // taken in parts, which this finishes.
  std::string_view rest = whole;
  while (!rest.empty()) {
    const ssize_t written = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to say it
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
}

void log_event(std::string_view message) {
  std::string line = "todod: ";
  line += message;
  log_line(line);
}

}  // namespace todo
