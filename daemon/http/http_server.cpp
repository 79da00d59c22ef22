#include "daemon/http/http_server.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <future>
#include <sstream>

#include "common/validation.hpp"
#include "daemon/http/http_api.hpp"
#include "daemon/http/http_metrics.hpp"
#include "daemon/runtime/log.hpp"

namespace todo {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Out of file descriptors, accepting waits this long before it tries again.
constexpr std::chrono::milliseconds kAcceptPause{100};
// The whole answer to a connection past the limit, made once.
std::string too_many_connections_answer() {
  HttpResponse response = HttpApi::error_response(ApiRoute::unknown, 503, "busy",
                                                  "todod holds as many connections as it may");
  response.set(boost::beast::http::field::retry_after, "1");
  response.keep_alive(false);
  response.prepare_payload();
  std::ostringstream text;
  text << response;
  return text.str();
}

Result<tcp::endpoint> parse_address(const std::string& text) {
  const auto invalid = [&](std::string_view why) {
    return Error::invalid("invalid --http address " + quoted_for_message(text) + ": " +
                          std::string(why) + " (expected ADDRESS:PORT, as 127.0.0.1:5454 or " +
                          "[::1]:5454)");
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return invalid("no port");
  std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return invalid("the port is not a number from 0 to 65535");
  }
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(host, address_error);
  if (address_error) return invalid("the address is not an IP address");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

Result<std::shared_ptr<asio::ssl::context>> tls_context(const HttpOptions& options) {
  if (options.tls_certificate.empty() && options.tls_key.empty()) {
    return std::shared_ptr<asio::ssl::context>();
  }
  if (options.tls_certificate.empty() || options.tls_key.empty()) {
    return Error::invalid("--tls-cert and --tls-key go together");
  }
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code error;
  context->use_certificate_chain_file(options.tls_certificate.string(), error);
  if (error) {
    return Error::invalid("cannot use the TLS certificate " + options.tls_certificate.string() +
                          ": " + error.message());
  }
  context->use_private_key_file(options.tls_key.string(), asio::ssl::context::pem, error);
  if (error) {
    return Error::invalid("cannot use the TLS key " + options.tls_key.string() + ": " +
                          error.message());
  }
  return context;
}

std::string url_of(const tcp::endpoint& endpoint, bool is_tls) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return std::string(is_tls ? "https://" : "http://") + host + ":" +
         std::to_string(endpoint.port());
}

// One I/O thread's event loop, and what keeps it running while no socket
// waits: an answer may still be posted.
struct IoLoop {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
};

}  // namespace

struct HttpServer::State {
  State(const HttpOptions& options, RequestHandler& handler, const Database& database,
        AccessTokens& tokens, std::shared_ptr<asio::ssl::context> tls)
      : api(database, tokens, metrics),
        session_context{api, handler, metrics, options.limits, std::move(tls), is_stopping},
        max_connections(options.max_connections) {
    const std::size_t count = options.io_threads != 0
                                  ? options.io_threads
                                  : default_io_threads(std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < count; ++i) loops.push_back(std::make_unique<IoLoop>());
  }

  // The acceptors and their timers run on the first loop.
  asio::io_context& accepting_io() { return loops.front()->io; }

  void accept(tcp::acceptor& acceptor) {
    // The connection's socket belongs to the next loop in turn, from its first handler on.
    asio::io_context& session_io = loops[next_loop]->io;
    next_loop = (next_loop + 1) % loops.size();
    acceptor.async_accept(
        session_io, [this, &acceptor](boost::system::error_code error, tcp::socket socket) {
          if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
          if (error == asio::error::no_descriptors || error == asio::error::no_buffer_space ||
              error == asio::error::no_memory) {
            if (!is_pausing_logged) {
              log_event("HTTP: cannot accept a connection (" + error.message() +
                        "); trying again every " + std::to_string(kAcceptPause.count()) + " ms");
              is_pausing_logged = true;
            }
            auto timer = std::make_shared<asio::steady_timer>(accepting_io(), kAcceptPause);
            timer->async_wait([this, &acceptor, timer](boost::system::error_code) {
              if (acceptor.is_open()) accept(acceptor);
            });
            return;
          }
          is_pausing_logged = false;
          if (!error) serve(std::move(socket));
          accept(acceptor);
        });
  }

  void serve(tcp::socket socket) {
    if (connections.load(std::memory_order_relaxed) >= max_connections) {
      boost::system::error_code ignored;
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(too_many_connections), ignored);
      socket.close(ignored);
      return;
    }
    connections.fetch_add(1, std::memory_order_relaxed);
    // Released when the session ends, on whichever thread lets it go.
    std::shared_ptr<void> slot(
        nullptr, [this](void*) { connections.fetch_sub(1, std::memory_order_relaxed); });
    start_http_session(std::move(socket), session_context, std::move(slot));
  }

  // What sessions use goes first: the io_contexts, destroyed before it, let
  // go of the sessions their handlers still hold.
  std::atomic<bool> is_stopping{false};
  HttpMetrics metrics;
  HttpApi api;
  HttpSessionContext session_context;
  const std::size_t max_connections;
  std::atomic<std::size_t> connections{0};
  std::vector<std::unique_ptr<IoLoop>> loops;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  // Touched only by the accepting loop.
  std::size_t next_loop = 0;
  bool is_pausing_logged = false;
  const std::string too_many_connections = too_many_connections_answer();
};

Result<void> HttpServer::check(const HttpOptions& options) {
  for (const std::string& text : options.addresses) {
    auto endpoint = parse_address(text);
    if (!endpoint) return endpoint.error();
    const bool is_tls = !options.tls_certificate.empty();
    if (!is_tls && !options.allows_insecure_remote && !endpoint.value().address().is_loopback()) {
      return Error::invalid(
          "refusing --http " + text +
          " without TLS: access tokens would cross the network in clear. Give --tls-cert and "
          "--tls-key, or --http-insecure when something else encrypts the traffic");
    }
  }
  auto tls = tls_context(options);
  if (!tls) return tls.error();
  return {};
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpOptions& options,
                                                      RequestHandler& handler,
                                                      const Database& database,
                                                      AccessTokens& tokens) {
  if (auto checked = check(options); !checked) return checked.error();
  auto tls = tls_context(options);
  if (!tls) return tls.error();
  const bool is_tls = tls.value() != nullptr;
  auto state = std::make_unique<State>(options, handler, database, tokens, tls.value());
  std::vector<std::string> urls;
  for (const std::string& text : options.addresses) {
    const tcp::endpoint endpoint = parse_address(text).value();
    auto acceptor = std::make_unique<tcp::acceptor>(state->accepting_io());
    boost::system::error_code error;
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) return Error::invalid("cannot serve HTTP on " + text + ": " + error.message());
    urls.push_back(url_of(acceptor->local_endpoint(), is_tls));
    state->acceptors.push_back(std::move(acceptor));
  }
  for (auto& acceptor : state->acceptors) state->accept(*acceptor);
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(state)));
  server->bound_urls_ = std::move(urls);
  return server;
}

std::size_t HttpServer::default_io_threads(unsigned hardware_threads) {
  return std::max(1u, hardware_threads / 2);
}

HttpServer::HttpServer(std::unique_ptr<State> state) : state_(std::move(state)) {
  for (auto& loop : state_->loops) {
    io_threads_.emplace_back([io = &loop->io] {
      // A handler's exception would end the thread and its connections with it.
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& error) {
          log_event(std::string("HTTP: a connection failed: ") + error.what());
        }
      }
    });
  }
}

void HttpServer::stop_accepting() {
  state_->is_stopping.store(true, std::memory_order_release);
  // Every hand-off to the RequestHandler runs on an I/O thread, after a look
  // at is_stopping: once a closure posted after the store has run on every
  // loop, none is half done, so the System's drain that follows sees every
  // request HTTP handed on. The first loop also closes the acceptors.
  std::vector<std::promise<void>> passed(state_->loops.size());
  for (std::size_t i = 0; i < state_->loops.size(); ++i) {
    asio::post(state_->loops[i]->io, [state = state_.get(), is_first = i == 0, &done = passed[i]] {
      if (is_first) {
        boost::system::error_code ignored;
        for (auto& acceptor : state->acceptors) acceptor->close(ignored);
      }
      done.set_value();
    });
  }
  for (auto& done : passed) done.get_future().wait();
}

void HttpServer::stop() {
  for (auto& loop : state_->loops) loop->io.stop();
  for (auto& thread : io_threads_) {
    if (thread.joinable()) thread.join();
  }
}

HttpServer::~HttpServer() { stop(); }

}  // namespace todo
