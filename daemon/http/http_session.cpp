#include "daemon/http/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <string>
#include <type_traits>

#include "daemon/http/http_api.hpp"
#include "daemon/http/http_metrics.hpp"
#include "daemon/service/request_handler.hpp"

namespace todo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What the first read of a request may take; the rest of it is read as the
// parser asks.
constexpr std::size_t kFirstReadBytes = 4096;

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  template <class... StreamArgs>
  HttpSession(const HttpSessionContext& context, std::shared_ptr<void> on_closed,
              StreamArgs&&... stream_args)
      : context_(context),
        on_closed_(std::move(on_closed)),
        stream_(std::forward<StreamArgs>(stream_args)...) {}

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      lowest_layer().expires_after(context_.limits.request_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code error) {
                                if (!error) self->read_request();
                              });
    } else {
      read_request();
    }
  }

 private:
  beast::tcp_stream& lowest_layer() { return beast::get_lowest_layer(stream_); }

  void read_request() {
    parser_.emplace();
    parser_->body_limit(HttpSessionLimits::kMaxBodyBytes);
    parser_->header_limit(HttpSessionLimits::kMaxHeaderBytes);
    if (buffer_.size() > 0) {
      // A pipelined request has begun already: its deadline runs.
      read_rest();
      return;
    }
    // Waiting for a request's first bytes is idle time. Raw bytes, not the
    // parser: Beast's parser waits for the whole header before it makes
    // progress, and the request timeout must start at the first byte.
    lowest_layer().expires_after(context_.limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kFirstReadBytes),
        [self = this->shared_from_this()](beast::error_code error, std::size_t bytes) {
          if (error) return self->on_read_failed(error);
          self->buffer_.commit(bytes);
          self->read_rest();
        });
  }

  // From a request's first byte, the whole of it must come within the
  // request timeout: a client that dribbles it is closed.
  void read_rest() {
    lowest_layer().expires_after(context_.limits.request_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code error, std::size_t) {
          if (error) return self->on_read_failed(error);
          if (self->parser_->is_done()) return self->on_request();
          // curl, among others, sends a body over 1 KiB only once told to
          // go on, or after waiting a second.
          const auto expect = self->parser_->get().find(http::field::expect);
          if (expect != self->parser_->get().end() &&
              beast::iequals(expect->value(), "100-continue")) {
            return self->continue_body();
          }
          self->read_body();
        });
  }

  void continue_body() {
    continue_.emplace(http::status::continue_, parser_->get().version());
    http::async_write(stream_, *continue_,
                      [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                        self->continue_.reset();
                        if (error) return self->close();
                        self->read_body();
                      });
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                       if (error) return self->on_read_failed(error);
                       self->on_request();
                     });
  }

  void on_read_failed(beast::error_code error) {
    const ApiRoute route =
        parser_->is_header_done() ? HttpApi::route_of(parser_->get().target()) : ApiRoute::unknown;
    if (error == http::error::body_limit) {
      return refuse(route, 413, "payload_too_large",
                    "the request body is over " + std::to_string(HttpSessionLimits::kMaxBodyBytes) +
                        " bytes");
    }
    if (error == http::error::header_limit) {
      return refuse(route, 431, "header_too_large",
                    "the request's headers are over " +
                        std::to_string(HttpSessionLimits::kMaxHeaderBytes) + " bytes");
    }
    // The client went away, or sent nothing in time: nobody to answer.
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::eof || error == asio::error::connection_reset ||
        error == asio::error::operation_aborted || buffer_.size() == 0) {
      return close();
    }
    refuse(route, 400, "bad_request", "the request is not valid HTTP/1.1: " + error.message());
  }

  // Answers a request that was not read whole, and closes the connection: what
  // follows it in the stream cannot be trusted to start a request.
  void refuse(ApiRoute route, unsigned status, std::string_view code, std::string message) {
    started_ = Clock::now();
    route_ = route;
    keep_alive_ = false;
    version_ = 11;
    is_head_ = false;
    write_response(HttpApi::error_response(route, status, code, message));
  }

  void on_request() {
    started_ = Clock::now();
    const HttpRequest& request = parser_->get();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    is_head_ = request.method() == http::verb::head;
    if (context_.is_stopping.load(std::memory_order_acquire)) {
      keep_alive_ = false;
      route_ = HttpApi::route_of(request.target());
      HttpResponse response = HttpApi::error_response(route_, 503, "busy", "todod is stopping");
      response.set(http::field::retry_after, "1");
      return write_response(std::move(response));
    }
    auto routed = context_.api.route(request);
    if (auto* response = std::get_if<HttpResponse>(&routed)) {
      route_ = HttpApi::route_of(request.target());
      return write_response(std::move(*response));
    }
    ApiCall call = std::get<ApiCall>(std::move(routed));
    route_ = call.route;
    is_streaming_ = false;
    send_call(std::move(call));
  }

  // Hands the call to the RequestHandler; its answer comes back on this
  // session's thread. Once todod is stopping, the next page of a response is
  // not asked for: the System may be gone before its answer. The response
  // ends short, which a client sees as a broken body, not a complete one.
  void send_call(ApiCall call) {
    if (context_.is_stopping.load(std::memory_order_acquire)) return close();
    Request request = call.request;
    context_.handler.handle(std::move(request), [self = this->shared_from_this(),
                                                 call = std::move(call)](Reply reply) mutable {
      auto executor = self->lowest_layer().get_executor();
      asio::post(executor,
                 [self = std::move(self), call = std::move(call),
                  reply = std::move(reply)]() mutable { self->on_reply(std::move(call), reply); });
    });
  }

  void on_reply(ApiCall call, const Reply& reply) {
    ApiAnswer answer = context_.api.answer(std::move(call), reply);
    if (is_streaming_) {
      // The status went out with the first page; a later page that fails can
      // only end the response short, which the client sees as a broken body.
      if (answer.response.result_int() >= 400) return close();
      return write_chunk(std::move(answer.response.body()), std::move(answer.next));
    }
    if (!answer.next) return write_response(std::move(answer.response));
    start_chunked(std::move(answer.response), std::move(*answer.next));
  }

  void write_response(HttpResponse response) {
    response.version(version_);
    response.keep_alive(keep_alive_);
    response.prepare_payload();
    // A response to HEAD has the GET's headers, Content-Length included, and
    // no body (RFC 9110, 9.3.2): a body would be read as the next response.
    if (is_head_) response.body().clear();
    record(response.result_int());
    response_.emplace(std::move(response));
    lowest_layer().expires_after(context_.limits.idle_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                        self->response_.reset();
                        self->after_response(error);
                      });
  }

  void after_response(beast::error_code error) {
    if (error || !keep_alive_) return close();
    read_request();
  }

  // A response of several pages: the head now, the body in chunks as the
  // pages come.
  void start_chunked(HttpResponse first, ApiCall next) {
    is_streaming_ = true;
    record(first.result_int());
    head_.emplace(first.result(), version_);
    for (const auto& field : first) head_->set(field.name_string(), field.value());
    // HTTP/1.0 has no chunks: the body ends where the connection does.
    if (is_close_delimited()) keep_alive_ = false;
    head_->keep_alive(keep_alive_);
    head_->chunked(!is_close_delimited());
    head_serializer_.emplace(*head_);
    lowest_layer().expires_after(context_.limits.idle_timeout);
    http::async_write_header(
        stream_, *head_serializer_,
        [self = this->shared_from_this(), part = std::move(first.body()), next = std::move(next)](
            beast::error_code error, std::size_t) mutable {
          if (error) return self->close();
          self->write_chunk(std::move(part), std::move(next));
        });
  }

  void write_chunk(std::string part, std::optional<ApiCall> next) {
    auto after = [self = this->shared_from_this(), next = std::move(next)](beast::error_code error,
                                                                           std::size_t) mutable {
      if (error) return self->close();
      self->chunk_.clear();
      if (next) return self->send_call(std::move(*next));
      self->finish_chunked();
    };
    // An empty chunk would end the body: a page with nothing to show sends none.
    if (part.empty()) return after({}, 0);
    chunk_ = std::move(part);
    lowest_layer().expires_after(context_.limits.idle_timeout);
    if (is_close_delimited())
      return asio::async_write(stream_, asio::buffer(chunk_), std::move(after));
    asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)), std::move(after));
  }

  void finish_chunked() {
    if (is_close_delimited()) return close();
    asio::async_write(stream_, http::make_chunk_last(),
                      [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                        self->head_serializer_.reset();
                        self->head_.reset();
                        self->is_streaming_ = false;
                        self->after_response(error);
                      });
  }

  // A streamed response to HTTP/1.0, which has no chunks.
  bool is_close_delimited() const { return version_ < 11; }

  void record(unsigned status) { context_.metrics.record(route_, status, Clock::now() - started_); }

  void close() {
    beast::error_code ignored;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      // close_notify, so the client can tell the end from a cut connection;
      // bounded like any write.
      lowest_layer().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored_too;
        self->lowest_layer().socket().close(ignored_too);
      });
    } else {
      lowest_layer().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      lowest_layer().socket().close(ignored);
    }
  }

  const HttpSessionContext& context_;
  std::shared_ptr<void> on_closed_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpResponse> response_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::empty_body>> head_;
  std::optional<http::response_serializer<http::empty_body>> head_serializer_;
  std::string chunk_;
  Clock::time_point started_;
  ApiRoute route_ = ApiRoute::unknown;
  bool keep_alive_ = true;
  bool is_head_ = false;
  unsigned version_ = 11;
  bool is_streaming_ = false;
};

}  // namespace

void start_http_session(asio::ip::tcp::socket socket, const HttpSessionContext& context,
                        std::shared_ptr<void> on_closed) {
  if (context.tls) {
    std::make_shared<HttpSession<TlsStream>>(context, std::move(on_closed), std::move(socket),
                                             *context.tls)
        ->start();
  } else {
    std::make_shared<HttpSession<PlainStream>>(context, std::move(on_closed), std::move(socket))
        ->start();
  }
}

}  // namespace todo
