// A small HTTP/1.1 client for the tests, on Boost.Beast: one keep-alive
// connection to todod on 127.0.0.1, plain or TLS, every read and write
// bounded by a socket timeout so that a test cannot hang. It can also send
// raw bytes, for pipelining and for the limits.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>

namespace todo::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using HttpReply = http::response<http::string_body>;

// The port of the first http:// (or https://) URL todod said it serves.
inline unsigned short http_port_in(const std::string& started_log) {
  std::smatch match;
  if (!std::regex_search(started_log, match, std::regex("https?://127\\.0\\.0\\.1:([0-9]+)"))) {
    throw std::runtime_error("no HTTP URL in: " + started_log);
  }
  return static_cast<unsigned short>(std::stoi(match[1]));
}

class HttpConnection {
 public:
  // With tls, a TLS connection that trusts ca_file.
  explicit HttpConnection(unsigned short port, const std::string& ca_file = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval bound{static_cast<time_t>(timeout.count() / 1000),
                  static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
    if (!ca_file.empty()) {
      tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      tls_context_->load_verify_file(ca_file);
      tls_context_->set_verify_mode(asio::ssl::verify_peer);
      tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, *tls_context_);
      tls_->handshake(asio::ssl::stream_base::client);
    }
  }

  HttpReply request(http::verb method, const std::string& target, const std::string& token,
                    const std::string& body = "",
                    const std::string& content_type = "application/json") {
    http::request<http::string_body> message{method, target, 11};
    message.set(http::field::host, "127.0.0.1");
    if (!token.empty()) message.set(http::field::authorization, "Bearer " + token);
    if (!body.empty() || method == http::verb::post || method == http::verb::patch) {
      message.set(http::field::content_type, content_type);
      message.body() = body;
    }
    message.prepare_payload();
    if (tls_) {
      http::write(*tls_, message);
    } else {
      http::write(socket_, message);
    }
    return read_reply();
  }

  void send_raw(const std::string& bytes) {
    if (tls_) {
      asio::write(*tls_, asio::buffer(bytes));
    } else {
      asio::write(socket_, asio::buffer(bytes));
    }
  }

  HttpReply read_reply() {
    HttpReply reply;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);
    if (tls_) {
      http::read(*tls_, buffer_, parser);
    } else {
      http::read(socket_, buffer_, parser);
    }
    return parser.release();
  }

  // Every byte until todod closes the connection (plain HTTP only).
  std::string read_until_closed() {
    std::string bytes(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    char block[65536];
    boost::system::error_code error;
    while (!error) bytes.append(block, socket_.read_some(asio::buffer(block), error));
    return bytes;
  }

  // Whether todod closed the connection: a read that ends without a byte.
  bool is_closed_by_server() {
    char byte;
    boost::system::error_code error;
    if (buffer_.size() > 0) return false;
    socket_.read_some(asio::buffer(&byte, 1), error);
    return error == asio::error::eof || error == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  beast::flat_buffer buffer_;
};

}  // namespace todo::testing
