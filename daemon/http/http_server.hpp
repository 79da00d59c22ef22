// todod's HTTP front door (docs/http.md): listening sockets on the addresses
// of --http, and I/O threads that run the connections (HttpSession) on
// Boost.Asio, each thread its own io_context and each connection on one of
// them for its whole life, handed out in turn as they are accepted: no
// connection's handlers ever run on two threads, so a session needs no lock.
// Requests go through HttpApi to the RequestHandler that the ZeroMQ socket
// uses: the same Cache, actors, admission and durability.
//
// With --tls-cert and --tls-key every address serves HTTPS (OpenSSL through
// Asio). Without them, an address other than loopback is refused unless
// insecure HTTP is asked for: the tokens would cross the network in clear.
//
// At most max_connections at once: one more is answered 503 and closed. Out
// of file descriptors, accepting pauses for a moment instead of spinning, and
// the connections already made go on.
//
// Thread safety: start(), stop() and the destructor on one thread;
// stop_accepting() from any thread. The server must outlive every request it
// handed on (its answers are posted back to it): stop_accepting(), shut the
// System down, stop(), destroy the System, then the server.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "daemon/http/http_session.hpp"

namespace todo {

class AccessTokens;
class Database;
class RequestHandler;

struct HttpOptions {
  std::vector<std::string> addresses;     // ADDRESS:PORT, [IPv6]:PORT; port 0 picks one
  std::filesystem::path tls_certificate;  // PEM chain; with tls_key
  std::filesystem::path tls_key;          // PEM
  bool allows_insecure_remote = false;
  HttpSessionLimits limits;
  std::size_t max_connections = 10'000;
  std::size_t io_threads = 0;  // 0: default_io_threads()
};

class HttpServer {
 public:
  // What start would refuse without binding anything (an address that does
  // not parse, one off loopback without TLS, an unreadable certificate), so
  // that todod can refuse it before it opens its data directory.
  static Result<void> check(const HttpOptions& options);
  // One I/O thread per two cores, at least one: a request's parsing, routing
  // and writing run there, and its list's actor and the database worker need
  // cores of their own (bench/http-vs-zeromq.sh).
  static std::size_t default_io_threads(unsigned hardware_threads);
  // Binds every address and starts the I/O threads. Errors name the address.
  static Result<std::unique_ptr<HttpServer>> start(const HttpOptions& options,
                                                   RequestHandler& handler,
                                                   const Database& database, AccessTokens& tokens);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops, and closes every connection.
  ~HttpServer();

  // "http://127.0.0.1:5454" (https with TLS), a port asked as 0 resolved: for
  // the start line.
  const std::vector<std::string>& bound_urls() const { return bound_urls_; }
  // Closes the listening sockets and answers any request read from now on
  // 503; the answers to requests handed on still go out, and a response of
  // several pages ends after the page in flight. Returns once nothing more
  // can be handed to the RequestHandler. REQUIRES: not on an I/O thread.
  void stop_accepting();
  // Stops the I/O threads: nothing more is read, written or handed on. The
  // connections close when the last answer owed to them is let go (by the
  // System's end) or with the server.
  void stop();

 private:
  struct State;
  explicit HttpServer(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
  std::vector<std::string> bound_urls_;
  std::vector<std::thread> io_threads_;
};

}  // namespace todo
