// One HTTP/1.1 connection: reads a request (Boost.Beast's parser), has
// HttpApi route it and the RequestHandler answer it, writes the response, and
// reads the next. Requests a client pipelines wait in the read buffer and are
// answered in order, one at a time.
//
// Limits, each closing the connection after its answer: a body over
// kMaxBodyBytes is answered 413, headers over kMaxHeaderBytes 431, a request
// that does not parse 400. A connection that sends nothing for the idle
// timeout, or takes longer than the request timeout from a request's first
// byte to its last, is closed, so a slow client holds only its own
// connection.
//
// Thread safety: runs on the HttpServer's I/O thread; the RequestHandler's
// answer, made on another thread, is posted back to it.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

namespace todo {

class HttpApi;
class HttpMetrics;
class RequestHandler;

struct HttpSessionLimits {
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  static constexpr std::size_t kMaxHeaderBytes = 8 * 1024;

  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
};

// What every session of one server shares; outlives them all.
struct HttpSessionContext {
  const HttpApi& api;
  RequestHandler& handler;
  HttpMetrics& metrics;
  HttpSessionLimits limits;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  // Set when todod stops: a request read after it is answered 503, and not
  // handed on to a System that is shutting down.
  const std::atomic<bool>& is_stopping;
};

// Starts serving the accepted socket; the session keeps itself alive until
// the connection ends. on_closed runs (on any thread) when it is destroyed.
void start_http_session(boost::asio::ip::tcp::socket socket, const HttpSessionContext& context,
                        std::shared_ptr<void> on_closed);

}  // namespace todo
