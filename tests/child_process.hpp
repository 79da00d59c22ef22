// Runs a real program for a test: with arguments, extra environment, text on
// its stdin; captures stdout and stderr and the exit status. Long-running
// programs (todod) are started, signalled and waited for explicitly.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace todo::testing {

struct Output {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& extra_env = {}) {
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
        ::pipe2(err_pipe, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

    std::vector<std::string> arg_strings = {program};
    arg_strings.insert(arg_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : arg_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);

    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const auto eq = entry.find('=');
      if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [key, value] : extra_env) env[key] = value;
    std::vector<std::string> env_strings;
    for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);

    // Signals blocked in the test process (none by default) must not be
    // inherited: todod relies on getting SIGTERM.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    posix_spawnattr_setsigmask(&attributes, &no_signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

    const int rc =
        ::posix_spawn(&pid_, program.c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    stdin_fd_ = in_pipe[1];
    stdout_fd_ = out_pipe[0];
    stderr_fd_ = err_pipe[0];
    started_ = std::chrono::steady_clock::now();
  }

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  ~ChildProcess() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) {
      if (fd >= 0) ::close(fd);
    }
  }

  pid_t pid() const { return pid_; }
  void signal(int number) { ::kill(pid_, number); }

  // Writes input to stdin, closes it, and collects output until the program
  // exits or the timeout passes (then it is killed, and the exit code is -1).
  Output finish(const std::string& input = "",
                std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    write_all_then_close_stdin(input);
    return collect(timeout);
  }

  // Collects what the program prints until it exits (or the timeout).
  Output collect(std::chrono::milliseconds timeout) {
    Output output;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (stdout_fd_ >= 0 || stderr_fd_ >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
      ::poll(fds, 2, static_cast<int>(left.count()));
      drain(stdout_fd_, fds[0].revents, output.out);
      drain(stderr_fd_, fds[1].revents, output.err);
    }
    if (stdout_fd_ >= 0 || stderr_fd_ >= 0) {
      ::kill(pid_, SIGKILL);
    }
    output.exit_code = wait_for_exit();
    if (std::chrono::steady_clock::now() > deadline) output.exit_code = -1;
    output.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    return output;
  }

  // Reads stderr lines until one contains text (or the timeout); all of
  // stderr read so far is returned either way.
  std::string read_stderr_until(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (stderr_fd_ >= 0 && stderr_seen_.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd fd = {stderr_fd_, POLLIN, 0};
      ::poll(&fd, 1, static_cast<int>(left.count()));
      drain(stderr_fd_, fd.revents, stderr_seen_);
    }
    return stderr_seen_;
  }

  // Reads stdout until it contains text (or the timeout); all of stdout read
  // so far is returned either way, and collect() gives only what follows.
  std::string read_stdout_until(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (stdout_fd_ >= 0 && stdout_seen_.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd fd = {stdout_fd_, POLLIN, 0};
      ::poll(&fd, 1, static_cast<int>(left.count()));
      drain(stdout_fd_, fd.revents, stdout_seen_);
    }
    return stdout_seen_;
  }

  // Writes input to stdin and closes it, without waiting for anything.
  void send_input(const std::string& input) { write_all_then_close_stdin(input); }

  // Waits for the exit; the exit code, or 128 + signal.
  int wait_for_exit() {
    if (exit_code_) return *exit_code_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return *exit_code_;
  }

  // The exit code if it exited within timeout.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return exit_code_;
  }

 private:
  void write_all_then_close_stdin(const std::string& input) {
    // A writer thread, so a program that prints while it reads cannot
    // deadlock against us.
    std::thread writer([fd = stdin_fd_, input] {
      std::size_t written = 0;
      while (written < input.size()) {
        const ssize_t n = ::write(fd, input.data() + written, input.size() - written);
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
      }
      ::close(fd);
    });
    stdin_fd_ = -1;
    writer_ = std::move(writer);
    writer_.detach();
  }

  static void drain(int& fd, short revents, std::string& into) {
    if (fd < 0 || revents == 0) return;
    char buffer[65536];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      into.append(buffer, static_cast<std::size_t>(n));
    } else {
      ::close(fd);
      fd = -1;
    }
  }

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::optional<int> exit_code_;
  std::string stderr_seen_;
  std::string stdout_seen_;
  std::thread writer_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace todo::testing
