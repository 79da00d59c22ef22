// todod: the to-do daemon. Opens the data directory, binds the endpoints,
// serves requests until SIGTERM or SIGINT, then finishes what is in flight,
// closes RocksDB and exits 0.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>

#include "common/default_paths.hpp"
#include "daemon/service/listener.hpp"
#include "daemon/service/request_handler.hpp"
#include "daemon/service/systemd_notifier.hpp"
#include "daemon/system.hpp"

namespace {

// Listener drains for this long, the System for the rest: within the 5 s a
// service manager allows between SIGTERM and SIGKILL.
constexpr std::chrono::milliseconds kDrainTimeout{2500};
constexpr std::chrono::milliseconds kShutdownGrace{1000};

// SIGTERM and SIGINT become readable events on a file descriptor the Listener
// polls. They are blocked before any thread starts, so every thread inherits
// the mask and none is interrupted by them.
int block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
}

std::string join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const auto& part : parts) joined += (joined.empty() ? "" : " ") + part;
  return joined;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "todod: the to-do list daemon. Keeps every list in its own actor and persists "
      "every change to RocksDB before acknowledging it."};
  app.set_version_flag("--version", std::string("todod ") + TODO_VERSION);
  std::string data_dir = todo::default_data_dir().string();
  std::vector<std::string> endpoints;
  std::size_t db_workers = todo::DatabaseOptions{}.worker_count;
  std::size_t threads = 0;
  bool is_sync = true;
  double idle_timeout_seconds = 600;
  std::int64_t max_requests_in_progress = todo::SystemOptions{}.max_requests_in_progress;
  app.add_option("--data-dir", data_dir, "where the lists are stored")
      ->envname("TODO_DATA_DIR")
      ->capture_default_str();
  app.add_option("--listen", endpoints,
                 "ZeroMQ endpoint to serve, repeatable (ipc://PATH, tcp://ADDRESS:PORT); default " +
                     todo::default_endpoint())
      ->envname("TODO_ENDPOINT");
  app.add_option("--db-workers", db_workers, "database writer threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--threads", threads,
                 "threads that run the list actors (0: one per core but one, at least one)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_flag("--sync,!--no-sync", is_sync,
               "fsync before acknowledging (default); --no-sync survives a crash of todod but "
               "not a power cut");
  app.add_option("--idle-timeout", idle_timeout_seconds,
                 "a list with no request for this long leaves memory until its next request "
                 "(seconds, or with a unit: 500ms, 30s, 10m, 1h; 0: never)")
      ->transform(CLI::AsNumberWithUnit(
          std::map<std::string, double>{{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}}))
      ->check(CLI::Range(0.0, 1e7))
      ->default_str("10m");
  app.add_option("--max-requests-in-progress", max_requests_in_progress,
                 "requests being handled at once, over all lists, beyond which new ones are "
                 "answered busy")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (endpoints.empty()) endpoints.push_back(todo::default_endpoint());

  const int stop_fd = block_stop_signals();
  if (stop_fd < 0) {
    std::cerr << "todod: cannot watch for SIGTERM: " << std::strerror(errno) << "\n";
    return 1;
  }

  const auto durability = is_sync ? todo::Durability::sync : todo::Durability::no_sync;
  auto started = todo::System::start(
      {.database = {.data_dir = data_dir, .worker_count = db_workers, .durability = durability},
       .thread_count = threads,
       .idle_timeout = std::chrono::milliseconds(std::llround(idle_timeout_seconds * 1000)),
       .max_requests_in_progress = max_requests_in_progress});
  if (!started) {
    std::cerr << "todod: " << started.error().message << "\n";
    return 1;
  }
  auto system = std::move(started).value();
  todo::RequestHandler handler(*system, TODO_VERSION);
  auto listener = todo::Listener::bind(endpoints, handler);
  if (!listener) {
    std::cerr << "todod: " << listener.error().message << "\n";
    return 1;
  }

  std::ostringstream started_line;
  started_line << "todod " << TODO_VERSION << " serving " << join(endpoints) << ", data in "
               << data_dir << ", " << system->thread_count() << " threads, " << db_workers
               << " database workers, " << todo::to_string(durability);
  std::cerr << started_line.str() << std::endl;

  const todo::SystemdNotifier notifier;
  notifier.ready(started_line.str());
  listener.value()->serve(
      stop_fd, kDrainTimeout, notifier.heartbeat_interval(), [&notifier] { notifier.heartbeat(); },
      [&notifier] { notifier.stopping(); });
  // Actors may still answer into the Listener's outbox until the System stops.
  const bool is_drained = system->shutdown(kShutdownGrace);
  system.reset();
  listener.value().reset();
  std::cerr << "todod stopped" << (is_drained ? "" : " (some requests were still in flight)")
            << std::endl;
  return 0;
}
