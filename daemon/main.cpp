// todod: the to-do daemon. Opens the data directory, binds the endpoints,
// serves requests until SIGTERM or SIGINT, then finishes what is in flight,
// closes RocksDB and exits 0. `todod --check` checks the stored list names
// instead, and exits.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/curve_key_file.hpp"
#include "common/default_paths.hpp"
#include "common/validation.hpp"
#include "daemon/access_tokens.hpp"
#include "daemon/http/http_server.hpp"
#include "daemon/list_name_check.hpp"
#include "daemon/memory_limit.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/service/listener.hpp"
#include "daemon/service/request_handler.hpp"
#include "daemon/service/systemd_notifier.hpp"
#include "daemon/storage/backup_directory.hpp"
#include "daemon/storage/data_directory_repair.hpp"
#include "daemon/system.hpp"

namespace {

// Listener drains for this long, the System for the rest: within the 5 s a
// service manager allows between SIGTERM and SIGKILL.
constexpr std::chrono::milliseconds kDrainTimeout{2500};
constexpr std::chrono::milliseconds kShutdownGrace{1000};
// As todo's: a command line that does not parse.
constexpr int kExitUsage = 2;
// The database could not be opened for --max-unavailable: a fresh process
// (systemd's Restart=on-failure) may succeed where this one's reopens did not.
constexpr int kExitDatabaseUnavailable = 3;
std::atomic<int> exit_code{0};

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

// What todod's flags ask for.
struct Settings {
  std::string data_dir = todo::default_data_dir().string();
  std::vector<std::string> endpoints;
  std::size_t db_workers = todo::DatabaseOptions{}.worker_count;
  std::size_t threads = 0;
  bool is_sync = true;
  double idle_timeout_seconds = 600;
  double max_unavailable_seconds = 60;
  std::int64_t max_requests_in_progress = todo::SystemOptions{}.max_requests_in_progress;
  std::uint64_t max_memory_bytes = todo::default_max_memory_bytes();
  std::string curve_secret_key_file;
  std::string curve_allow_dir;
  bool is_insecure_tcp_allowed = false;
  bool is_check = false;
  bool is_repair = false;
  bool is_wal_loss_accepted = false;
  std::string restore_from;
  std::uint32_t restore_id = 0;  // 0: the newest
  std::size_t max_connections = todo::ListenerOptions{}.max_connections;
  std::uint64_t max_reply_bytes = todo::default_max_reply_bytes();
  std::vector<std::string> http_addresses;
  std::string tls_certificate_file;
  std::string tls_key_file;
  bool is_insecure_http_allowed = false;
  double http_idle_timeout_seconds = 60;
  double http_request_timeout_seconds = 10;
  std::size_t http_max_connections = todo::HttpOptions{}.max_connections;
  std::size_t http_threads = 0;
};

todo::Durability durability_of(const Settings& settings) {
  return settings.is_sync ? todo::Durability::sync : todo::Durability::no_sync;
}

// A duration flag's value in seconds: a number, or one with a unit (500ms, 30s, 10m, 1h).
CLI::Validator seconds_with_unit() {
  return CLI::AsNumberWithUnit(
             std::map<std::string, double>{{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}})
      .description("");
}

// A range check whose bounds the flag's own help states in words: CLI11's
// "INT:INT in [1 - 64]" is not for people.
template <class T>
CLI::Validator within(T low, T high) {
  return CLI::Range(low, high).description("");
}

void add_flags(CLI::App& app, Settings& settings) {
  app.set_version_flag("--version", std::string("todod ") + TODO_VERSION);
  app.add_option("--data-dir", settings.data_dir, "where the lists are stored")
      ->envname("TODO_DATA_DIR")
      ->capture_default_str();
  app.add_option("--listen", settings.endpoints,
                 "ZeroMQ endpoint to serve, repeatable (ipc://PATH, tcp://ADDRESS:PORT); default " +
                     todo::default_endpoint())
      ->envname("TODO_ENDPOINT");
  app.add_option("--db-workers", settings.db_workers, "database writer threads, 1 to 64")
      ->type_name("N")
      ->check(within(std::size_t{1}, todo::DatabaseOptions::kMaxWorkers))
      ->capture_default_str();
  app.add_option("--threads", settings.threads,
                 "threads that run the list actors, up to 256 (0: one per core but one, at "
                 "least one)")
      ->type_name("N")
      ->check(within(0, 256))
      ->capture_default_str();
  app.add_flag("--sync,!--no-sync", settings.is_sync,
               "fsync before acknowledging (default); --no-sync survives a crash of todod but "
               "not a power cut");
  app.add_option("--idle-timeout", settings.idle_timeout_seconds,
                 "a list with no request for this long leaves memory until its next request "
                 "(seconds, or with a unit: 500ms, 30s, 10m, 1h; 0: never)")
      ->type_name("DURATION")
      ->transform(seconds_with_unit())
      ->check(within(0.0, 1e7))
      ->default_str("10m");
  app.add_option("--max-unavailable", settings.max_unavailable_seconds,
                 "exit (code 3, for systemd to restart todod) once the database could not be "
                 "opened at all, not even read-only, for this long; reopens are tried meanwhile "
                 "(seconds, or with a unit: 500ms, 30s, 10m)")
      ->type_name("DURATION")
      ->transform(seconds_with_unit())
      ->check(within(0.1, 1e7))
      ->default_str("60s");
  app.add_option("--max-requests-in-progress", settings.max_requests_in_progress,
                 "requests being handled at once, over all lists, beyond which new ones are "
                 "answered busy (1 to 100000000)")
      ->type_name("N")
      ->check(within(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  app.add_option("--max-memory", settings.max_memory_bytes,
                 "memory for the lists held in memory, as todod estimates it, past which the "
                 "least recently used idle lists leave memory early, to be loaded from disk at "
                 "their next request (bytes, or with a unit: 512MiB, 2GiB, 1GB; 0: no limit). "
                 "The rest of todod, such as RocksDB's memtables, comes on top")
      ->type_name("SIZE")
      ->transform(CLI::AsSizeValue(true).description(""))
      ->default_str("a quarter of the memory, or of the cgroup's memory.max if lower: " +
                    std::to_string(settings.max_memory_bytes >> 20) + "MiB here");
  app.add_option("--max-reply-memory", settings.max_reply_bytes,
                 "bytes of replies made and not yet read by their clients, past which a read "
                 "is answered busy; a quarter of it per connection. A reply shared by several "
                 "reads (a list's entries, while it is unchanged) counts once, and one reply "
                 "bigger than the limit is still sent when nothing else waits (bytes, or with a "
                 "unit: 256MiB, 1GiB; 1MiB at least)")
      ->type_name("SIZE")
      ->transform(CLI::AsSizeValue(true).description(""))
      ->check(within(std::uint64_t{1} << 20, std::uint64_t{1} << 50))
      ->default_str("an eighth of the memory, or of the cgroup's memory.max if lower: " +
                    std::to_string(settings.max_reply_bytes >> 20) + "MiB here");
  auto* secret_key =
      app.add_option("--curve-secret-key", settings.curve_secret_key_file,
                     "todod's CURVE key pair (`todo keygen FILE`), for tcp:// endpoints")
          ->envname("TODO_CURVE_SECRET_KEY");
  auto* allow = app.add_option("--curve-allow", settings.curve_allow_dir,
                               "directory of the public keys (one file each) of the clients "
                               "allowed in over tcp://; read at every connection")
                    ->envname("TODO_CURVE_ALLOW");
  secret_key->needs(allow);
  allow->needs(secret_key);
  app.add_option("--max-connections", settings.max_connections,
                 "connections held at once, over all endpoints; past them, new ones wait until "
                 "some close (fewer when the open file limit would not allow as many)")
      ->type_name("N")
      ->check(within(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  app.add_flag("--insecure-tcp", settings.is_insecure_tcp_allowed,
               "allow tcp:// without CURVE, on loopback addresses only: anyone on this machine "
               "can then read and change every list");
  app.add_option("--http", settings.http_addresses,
                 "serve HTTP (the JSON API, the book's routes, the web page; docs/http.md) on "
                 "ADDRESS:PORT, repeatable, as 127.0.0.1:5454 or [::1]:5454; port 0 picks one. "
                 "Every request needs an access token (`todo token add NAME`)")
      ->envname("TODO_HTTP");
  auto* tls_certificate =
      app.add_option("--tls-cert", settings.tls_certificate_file,
                     "serve HTTPS instead of HTTP, with this certificate chain (PEM)");
  auto* tls_key =
      app.add_option("--tls-key", settings.tls_key_file, "the private key (PEM) of --tls-cert");
  tls_certificate->needs(tls_key);
  tls_key->needs(tls_certificate);
  app.add_flag("--http-insecure", settings.is_insecure_http_allowed,
               "allow --http on an address other than loopback without TLS: the tokens then "
               "cross the network in clear, so only behind something that encrypts it");
  app.add_option("--http-idle-timeout", settings.http_idle_timeout_seconds,
                 "close an HTTP connection that sends nothing for this long (seconds, or with a "
                 "unit: 500ms, 30s, 10m)")
      ->type_name("DURATION")
      ->transform(seconds_with_unit())
      ->check(within(0.1, 1e7))
      ->default_str("60s");
  app.add_option("--http-request-timeout", settings.http_request_timeout_seconds,
                 "close an HTTP connection whose request, once begun, has not all come within "
                 "this long (seconds, or with a unit: 500ms, 30s)")
      ->type_name("DURATION")
      ->transform(seconds_with_unit())
      ->check(within(0.1, 1e7))
      ->default_str("10s");
  app.add_option("--http-max-connections", settings.http_max_connections,
                 "HTTP connections held at once; one more is answered 503 and closed")
      ->type_name("N")
      ->check(within(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  app.add_option("--http-threads", settings.http_threads,
                 "threads that read and write HTTP connections, up to 256 (0: one per two cores, "
                 "at least one)")
      ->type_name("N")
      ->check(within(0, 256))
      ->capture_default_str();
  app.add_flag("--accept-wal-loss", settings.is_wal_loss_accepted,
               "start even if a write-ahead log in --data-dir is damaged before its end (todod "
               "refuses to, naming the file and byte): keep what precedes the damage and give up "
               "the rest, acknowledged changes too. New entries then take ids past any the lost "
               "part could have held. Copy the data directory first");
  app.add_flag("--repair", settings.is_repair,
               "bring --data-dir back into service after its table files were damaged (reads "
               "or every write failing with 'Corruption: block checksum mismatch ... in FILE'): "
               "copy what can be read into a fresh database, set each list's metadata to agree "
               "with its entries, keep the damaged files in DIR/damaged-TIME, and say what was "
               "lost. todod must not be running on the directory");
  app.add_flag("--check", settings.is_check,
               "check the list names stored in --data-dir instead of serving: print each that "
               "is not canonical (not in Unicode NFC, or holding a character new names may not "
               "hold, such as U+200B ZERO WIDTH SPACE) and exit 1 if there is one, 0 if not. "
               "todod must not be running on the directory. Not done at startup, which would "
               "read every list's name");
  auto* restore =
      app.add_option("--restore-backup", settings.restore_from,
                     "restore the newest backup in DIR (todo backup DIR) as --data-dir, which must "
                     "not exist yet or be empty, instead of serving; each file is checked "
                     "against its checksum, and nothing is left behind if the restore fails")
          ->type_name("DIR");
  app.add_option("--backup-id", settings.restore_id,
                 "with --restore-backup: restore backup N (todo backup prints each one's number) "
                 "instead of the newest")
      ->type_name("N")
      ->check(within(1u, std::numeric_limits<std::uint32_t>::max()))
      ->needs(restore);
}

// The Listener's options from the flags; fails when the key file cannot be
// used.
todo::Result<todo::ListenerOptions> listener_options(const Settings& settings) {
  todo::ListenerOptions options{.endpoints = settings.endpoints,
                                .allows_plaintext_loopback_tcp = settings.is_insecure_tcp_allowed,
                                .max_connections = settings.max_connections,
                                .max_reply_bytes = settings.max_reply_bytes};
  if (!settings.curve_secret_key_file.empty()) {
    auto keys = todo::read_curve_key_pair(settings.curve_secret_key_file);
    if (!keys) return keys.error();
    options.curve_server_keys = std::move(keys).value();
    options.authorized_keys = settings.curve_allow_dir;
  }
  return options;
}

std::chrono::milliseconds milliseconds_of(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

todo::HttpOptions http_options(const Settings& settings) {
  return {.addresses = settings.http_addresses,
          .tls_certificate = settings.tls_certificate_file,
          .tls_key = settings.tls_key_file,
          .allows_insecure_remote = settings.is_insecure_http_allowed,
          .limits = {.idle_timeout = milliseconds_of(settings.http_idle_timeout_seconds),
                     .request_timeout = milliseconds_of(settings.http_request_timeout_seconds)},
          .max_connections = settings.http_max_connections,
          .io_threads = settings.http_threads};
}

todo::SystemOptions system_options(const Settings& settings) {
  return {.database = {.data_dir = settings.data_dir,
                       .worker_count = settings.db_workers,
                       .durability = durability_of(settings),
                       .accept_wal_loss = settings.is_wal_loss_accepted,
                       .max_unavailable = milliseconds_of(settings.max_unavailable_seconds),
                       .on_unavailable =
                           [](const std::string& why) {
                             todo::log_event(why + "; exiting, for a fresh start to open it");
                             exit_code.store(kExitDatabaseUnavailable);
                             ::kill(::getpid(), SIGTERM);
                           }},
          .thread_count = settings.threads,
          .idle_timeout = milliseconds_of(settings.idle_timeout_seconds),
          .max_memory_bytes = settings.max_memory_bytes,
          .max_requests_in_progress = settings.max_requests_in_progress};
}

std::string started_line(const Settings& settings, const todo::ListenerOptions& options,
                         const todo::Listener& listener, const todo::HttpServer* http,
                         const todo::System& system) {
  std::vector<std::string> served = listener.bound_endpoints();
  if (http) served.insert(served.end(), http->bound_urls().begin(), http->bound_urls().end());
  const std::string curve_key = options.curve_server_keys
                                    ? ", CURVE server key " + options.curve_server_keys->public_key
                                    : std::string();
  return std::string("todod ") + TODO_VERSION + " serving " + join(served) + curve_key +
         " (at most " + std::to_string(listener.connection_limit()) + " connections), data in " +
         settings.data_dir + ", " + std::to_string(system.thread_count()) + " threads, " +
         std::to_string(settings.db_workers) + " database workers, " +
         std::string(todo::to_string(durability_of(settings))) + ", lists in memory up to " +
         (settings.max_memory_bytes == 0
              ? std::string("no limit")
              : std::to_string(settings.max_memory_bytes >> 20) + " MiB");
}

// todod --check: one line per stored list name that is not canonical, on
// stdout; a summary on stderr.
int check_list_names(const Settings& settings) {
  // Database::open would create it, and find every name in it canonical.
  std::error_code error;
  if (!std::filesystem::is_directory(settings.data_dir, error)) {
    todo::log_event("no data directory at " + settings.data_dir + " to check");
    return 1;
  }
  auto database = todo::Database::open({.data_dir = settings.data_dir});
  if (!database) {
    todo::log_event("cannot check list names: " + database.error().message);
    return 1;
  }
  auto check = todo::check_list_names(*database.value());
  if (!check) {
    todo::log_event("cannot check list names: " + check.error().message);
    return 1;
  }
  for (const todo::ListNameFinding& finding : check.value().findings) {
    std::cout << todo::quoted_for_message(finding.name) << ": " << finding.reason << '\n';
  }
  std::cout.flush();
  const std::string checked = "checked " + std::to_string(check.value().names_checked) +
                              " list names in " + settings.data_dir + ": ";
  const std::size_t found = check.value().findings.size();
  if (found == 0) {
    todo::log_event(checked + "all canonical");
    return 0;
  }
  todo::log_event(checked + std::to_string(found) +
                  " not canonical; todod serves each under the name it is stored under");
  return 1;
}

// todod --repair: the report on stdout, one line each; exit 0 once the
// directory serves again, 1 if it could not be repaired.
int repair(const Settings& settings) {
  auto repaired = todo::repair_data_directory(settings.data_dir);
  if (!repaired) {
    todo::log_event("cannot repair " + settings.data_dir + ": " + repaired.error().message);
    return 1;
  }
  for (const std::string& line : repaired.value().report) std::cout << line << '\n';
  std::cout.flush();
  todo::log_event(repaired.value().was_damaged ? "repaired " + settings.data_dir
                                               : "nothing to repair in " + settings.data_dir);
  return 0;
}

// todod --restore-backup DIR: exit 0 once the backup is in place as the data
// directory, 1 if it is not (and then nothing was left behind).
int restore(const Settings& settings) {
  std::optional<std::uint32_t> id;
  if (settings.restore_id != 0) id = settings.restore_id;
  auto restored = todo::restore_backup(settings.restore_from, id, settings.data_dir);
  if (!restored) {
    todo::log_event("cannot restore a backup: " + restored.error().message);
    return 1;
  }
  const std::time_t made = restored.value().made_unix;
  std::tm utc{};
  ::gmtime_r(&made, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &utc);
  todo::log_event("restored backup " + std::to_string(restored.value().id) + " of " +
                  settings.restore_from + ", made " + when + ", into " + settings.data_dir +
                  (restored.value().has_access_tokens ? ", with its access tokens"
                                                      : ", which had no access tokens"));
  return 0;
}

// Makes the data directory (mode 0700) and whatever is missing above it, one
// at a time; the directories this made, the data directory first. A
// directory that cannot be made is left to DataDirectory::open to report.
std::vector<std::filesystem::path> make_data_directory(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<fs::path> missing;  // the data directory first
  const fs::path absolute = fs::absolute(path, error);
  if (error) return {};
  for (fs::path at = absolute; at != at.parent_path(); at = at.parent_path()) {
    // A path that is not there is no error here, whatever error_code says.
    if (fs::symlink_status(at, error).type() != fs::file_type::not_found) break;
    missing.push_back(at);
  }
  std::vector<fs::path> made;
  for (auto at = missing.rbegin(); at != missing.rend(); ++at) {
    if (!fs::create_directory(*at, error) || error) {
      // Those made so far are empty: gone again, for the open to fail alone.
      for (const fs::path& empty : made) fs::remove(empty, error);
      return {};
    }
    made.insert(made.begin(), *at);
  }
  if (!made.empty()) {
    fs::permissions(made.front(), fs::perms::owner_all, fs::perm_options::replace, error);
  }
  return made;
}

// Takes away what make_data_directory made: the data directory with what the
// database wrote in it, then each directory above it while it is empty.
void remove_data_directory(const std::vector<std::filesystem::path>& made) {
  std::error_code ignored;
  if (made.empty()) return;
  std::filesystem::remove_all(made.front(), ignored);
  for (std::size_t i = 1; i < made.size(); ++i) {
    if (!std::filesystem::remove(made[i], ignored)) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "todod: the to-do list daemon. Keeps every list in its own actor and persists "
      "every change to RocksDB before acknowledging it."};
  Settings settings;
  add_flags(app, settings);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    todo::log_event(std::string(e.what()) + " (try --help)");
    return kExitUsage;
  }
  if (settings.is_check) return check_list_names(settings);
  if (settings.is_repair) return repair(settings);
  if (!settings.restore_from.empty()) return restore(settings);
  if (settings.endpoints.empty()) settings.endpoints.push_back(todo::default_endpoint());
  auto options = listener_options(settings);
  const todo::HttpOptions http_settings = http_options(settings);
  if (options) {
    if (auto checked = todo::Listener::check(options.value()); !checked) options = checked.error();
  }
  if (options) {
    if (auto checked = todo::HttpServer::check(http_settings); !checked) {
      options = checked.error();
    }
  }
  if (!options) {
    todo::log_event(options.error().message);
    return 1;
  }

  const int stop_fd = block_stop_signals();
  if (stop_fd < 0) {
    todo::log_event(std::string("cannot watch for SIGTERM: ") + std::strerror(errno));
    return 1;
  }
  // The endpoints can only be bound once the System is up, on its data
  // directory: a start that fails after that takes away the directories it
  // made, so that a mistyped address leaves nothing on disk. They are made
  // here, not by the database, so that only what this todod made goes.
  const std::vector<std::filesystem::path> made_directories =
      make_data_directory(settings.data_dir);
  auto started = todo::System::start(system_options(settings));
  if (!started) {
    todo::log_event(started.error().message);
    remove_data_directory(made_directories);
    return 1;
  }
  auto system = std::move(started).value();
  todo::RequestHandler handler(*system, TODO_VERSION);
  const auto abandon_start = [&](const std::string& why) {
    todo::log_event(why);
    system->shutdown(kShutdownGrace);
    system.reset();
    remove_data_directory(made_directories);
    return 1;
  };
  auto listener = todo::Listener::bind(options.value(), handler);
  if (!listener) return abandon_start(listener.error().message);

  std::unique_ptr<todo::HttpServer> http;
  if (!settings.http_addresses.empty()) {
    auto started_http = todo::HttpServer::start(http_settings, handler, system->database(),
                                                system->access_tokens());
    if (!started_http) {
      listener.value().reset();
      return abandon_start(started_http.error().message);
    }
    http = std::move(started_http).value();
  }

  const std::string ready =
      started_line(settings, options.value(), *listener.value(), http.get(), *system);
  todo::log_line(ready);
  const todo::SystemdNotifier notifier;
  notifier.ready(ready);
  listener.value()->serve(
      stop_fd, kDrainTimeout, notifier.heartbeat_interval(), [&notifier] { notifier.heartbeat(); },
      [&notifier, &http] {
        notifier.stopping();
        if (http) http->stop_accepting();
      });
  // Actors may still answer into the Listener's outbox, and to HTTP
  // connections, until the System stops; the HTTP thread writes those answers
  // meanwhile.
  const bool is_drained = system->shutdown(kShutdownGrace);
  if (http) http->stop();
  system.reset();
  http.reset();
  listener.value().reset();
  todo::log_line(std::string("todod stopped") +
                 (is_drained ? "" : " (some requests were still in flight)"));
  return exit_code.load();
}
