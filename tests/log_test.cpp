#include "daemon/runtime/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace todo {
namespace {

using testing::TempDir;

// Sends stderr to a file for as long as it lives.
class StderrToFile {
 public:
  explicit StderrToFile(const std::string& path)
      : file_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)),
        saved_stderr_(::dup(STDERR_FILENO)) {
    REQUIRE(file_ >= 0);
    REQUIRE(saved_stderr_ >= 0);
    ::dup2(file_, STDERR_FILENO);
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;
  ~StderrToFile() {
    ::dup2(saved_stderr_, STDERR_FILENO);
    ::close(saved_stderr_);
    ::close(file_);
  }

 private:
  int file_;
  int saved_stderr_;
};

// Runs write_lines with stderr sent to a file, and returns the file's lines.
template <class WriteLines>
std::vector<std::string> lines_logged(const TempDir& dir, WriteLines&& write_lines) {
  const std::string path = (dir.path() / "stderr").string();
  {
    const StderrToFile redirect(path);
    write_lines();
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("an event is one line with todod's prefix", "[log]") {
  const TempDir dir;
  const auto lines = lines_logged(dir, [] {
    log_event("stored list 'bob' is corrupt");
    log_line("todod stopped");
  });
  CHECK(lines == std::vector<std::string>{"todod: stored list 'bob' is corrupt", "todod stopped"});
}

TEST_CASE("lines logged from many threads at once never interleave", "[log]") {
  constexpr int kThreads = 8;
  constexpr int kLinesEach = 2000;
  const TempDir dir;
  const auto lines = lines_logged(dir, [] {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t] {
        // Long enough that a line written in pieces would be cut by another.
        const std::string message(300, static_cast<char>('a' + t));
        for (int i = 0; i < kLinesEach; ++i) log_event(message);
      });
    }
    for (auto& thread : threads) thread.join();
  });
  REQUIRE(lines.size() == std::size_t{kThreads} * kLinesEach);
  std::map<char, int> lines_per_thread;
  for (const auto& line : lines) {
    REQUIRE(line.size() == 7 + 300);
    REQUIRE(line.starts_with("todod: "));
    const char mark = line[7];
    REQUIRE(line.find_first_not_of(mark, 7) == std::string::npos);
    ++lines_per_thread[mark];
  }
  CHECK(lines_per_thread.size() == std::size_t{kThreads});
  for (const auto& [mark, count] : lines_per_thread) CHECK(count == kLinesEach);
}

}  // namespace
}  // namespace todo
