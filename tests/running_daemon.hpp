// A real todod for a test, on a temporary data directory and an ipc://
// endpoint inside it, and the real todo client pointed at it.
#pragma once

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace todo::testing {

inline const std::string kTododPath = TODO_TODOD_PATH;
inline const std::string kTodoPath = TODO_TODO_PATH;

class RunningDaemon {
 public:
  // Starts todod and waits until it logs that it serves.
  RunningDaemon(std::filesystem::path data_dir, std::string endpoint,
                std::vector<std::string> extra_args = {},
                std::map<std::string, std::string> env = {})
      : data_dir_(std::move(data_dir)),
        endpoint_(std::move(endpoint)),
        extra_args_(std::move(extra_args)),
        env_(std::move(env)) {
    start();
  }

  const std::string& endpoint() const { return endpoint_; }
  ChildProcess& process() { return *process_; }

  void start() {
    std::vector<std::string> args = {"--data-dir", data_dir_.string(), "--listen", endpoint_};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    process_ = std::make_unique<ChildProcess>(kTododPath, args, env_);
    const std::string log = process_->read_stderr_until(" serving ", std::chrono::seconds(20));
    if (log.find(" serving ") == std::string::npos) {
      throw std::runtime_error("todod did not start: " + log);
    }
    started_log_ = log;
  }

  // What todod logged up to the line that says what it serves.
  const std::string& started_log() const { return started_log_; }

  // SIGTERM; the exit code, or -1 when it did not exit within the timeout.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    process_->signal(SIGTERM);
    const auto code = process_->wait_for_exit(timeout);
    return code ? *code : -1;
  }

  void kill_hard() {
    process_->signal(SIGKILL);
    process_->wait_for_exit();
  }

 private:
  std::filesystem::path data_dir_;
  std::string endpoint_;
  std::vector<std::string> extra_args_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<ChildProcess> process_;
  std::string started_log_;
};

// A data directory and endpoint in one temporary directory.
struct DaemonPlace {
  TempDir dir;
  std::filesystem::path data_dir() const { return dir.path() / "data"; }
  std::string endpoint() const { return "ipc://" + (dir.path() / "todod.sock").string(); }
};

// Runs `todo --endpoint E ARGS...` with input on stdin.
inline Output run_todo(const std::string& endpoint, const std::vector<std::string>& args,
                       const std::string& input = "",
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  std::vector<std::string> full = {"--endpoint", endpoint};
  full.insert(full.end(), args.begin(), args.end());
  ChildProcess todo(kTodoPath, full);
  return todo.finish(input, timeout);
}

// Runs a todo command that must succeed; its stdout.
inline std::string run_todo_ok(const std::string& endpoint, const std::vector<std::string>& args) {
  Output output = run_todo(endpoint, args);
  INFO("todo stderr: " << output.err);
  REQUIRE(output.exit_code == 0);
  return output.out;
}

// A test's own todod, and todo pointed at it: what the CLI tests share.
struct DaemonFixture {
  DaemonPlace place;
  std::optional<RunningDaemon> daemon{std::in_place, place.data_dir(), place.endpoint()};

  Output todo(const std::vector<std::string>& args, const std::string& input = "") {
    return run_todo(place.endpoint(), args, input);
  }
  // A command that must succeed; its stdout.
  std::string ok(const std::vector<std::string>& args) {
    return run_todo_ok(place.endpoint(), args);
  }
};

// How often part occurs in text (lines, when part is "\n").
inline std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// The adds `todo batch` acknowledged: the output lines that are a new id.
inline std::size_t acknowledged_adds(const std::string& batch_output) {
  std::size_t acknowledged = 0;
  std::istringstream lines(batch_output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) ++acknowledged;
  }
  return acknowledged;
}

// A counter from the output of `todo --json ping`.
inline std::uint64_t ping_field(const std::string& json, const std::string& field) {
  boost::system::error_code error;
  const boost::json::value ping = boost::json::parse(json, error);
  const boost::json::value* value = error ? nullptr : ping.as_object().if_contains(field);
  if (value == nullptr || !value->is_number()) FAIL("no " << field << " in " << json);
  return value->to_number<std::uint64_t>();
}

// A string field of `todo --json ping`.
inline std::string ping_field_text(const std::string& json, const std::string& field) {
  boost::system::error_code error;
  const boost::json::value ping = boost::json::parse(json, error);
  const boost::json::value* value = error ? nullptr : ping.as_object().if_contains(field);
  if (value == nullptr || !value->is_string()) FAIL("no text " << field << " in " << json);
  return std::string(value->get_string());
}

}  // namespace todo::testing
