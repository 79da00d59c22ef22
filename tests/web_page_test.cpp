// The web page todod serves at / (daemon/http/web_page.hpp): its files and
// their headers over real HTTP, and the page itself in a real browser,
// tests/browser/web_page.mjs driving Debian's chromium against a real todod.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "child_process.hpp"
#include "http_daemon.hpp"

namespace todo::testing {
namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// Everything todod sends for one request on a connection it then closes.
std::string raw_exchange(unsigned short port, const std::string& request) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  timeval bound{5, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  asio::write(socket, asio::buffer(request));
  std::string received;
  boost::system::error_code error;
  asio::read(socket, asio::dynamic_buffer(received), error);
  return received;
}

}  // namespace

TEST_CASE("GET / serves the page without a token, with headers that keep it to itself") {
  HttpDaemon http;
  auto connection = http.connect();

  HttpReply page = connection.request(http::verb::get, "/", "");
  REQUIRE(page.result_int() == 200);
  CHECK(page[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(page["Content-Security-Policy"] == kContentSecurityPolicy);
  CHECK(page["X-Content-Type-Options"] == "nosniff");
  CHECK(page["Referrer-Policy"] == "no-referrer");
  CHECK(page[http::field::cache_control] == "no-cache");
  // The script and style come from their own paths: the policy runs no
  // inline script.
  CHECK(page.body().find(R"(<script src="/app.js" defer></script>)") != std::string::npos);
  CHECK(page.body().find("<script>") == std::string::npos);

  HttpReply script = connection.request(http::verb::get, "/app.js", "");
  REQUIRE(script.result_int() == 200);
  CHECK(script[http::field::content_type] == "text/javascript; charset=utf-8");
  CHECK(script["Content-Security-Policy"] == kContentSecurityPolicy);
  CHECK(script.body().find("innerHTML") == std::string::npos);
  HttpReply style = connection.request(http::verb::get, "/style.css", "");
  REQUIRE(style.result_int() == 200);
  CHECK(style[http::field::content_type] == "text/css; charset=utf-8");

  // Only those paths, and only to read.
  CHECK(connection.request(http::verb::get, "/index.html", "").result_int() == 404);
  HttpReply posted = connection.request(http::verb::post, "/", "", "x", "text/plain");
  CHECK(posted.result_int() == 405);
  CHECK(posted[http::field::allow] == "GET, HEAD");

  // The page holds no data; what it shows comes from the API, which still
  // wants the token.
  CHECK(connection.request(http::verb::get, "/api/v1/lists", "").result_int() == 401);
  CHECK(connection.request(http::verb::get, "/api/v1/lists", http.token).result_int() == 200);

  HttpReply metrics = connection.request(http::verb::get, "/metrics", http.token);
  CHECK(metrics.body().find(R"(todo_http_requests_total{route="/",code="2xx"} 1)") !=
        std::string::npos);
  CHECK(metrics.body().find(R"(todo_http_requests_total{route="/",code="4xx"} 1)") !=
        std::string::npos);
  CHECK(metrics.body().find(R"(todo_http_requests_total{route="/app.js",code="2xx"} 1)") !=
        std::string::npos);
}

TEST_CASE("HEAD / answers the page's headers and no body") {
  HttpDaemon http;
  const std::size_t page_bytes = http.connect().request(http::verb::get, "/", "").body().size();

  const std::string head =
      raw_exchange(http.port, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  INFO(head);
  CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(head.find("Content-Length: " + std::to_string(page_bytes) + "\r\n") != std::string::npos);
  CHECK(head.find("Content-Security-Policy: ") != std::string::npos);
  // The response ends with its headers.
  CHECK(head.find("\r\n\r\n") == head.size() - 4);
}

TEST_CASE("The web page works in a real browser") {
  HttpDaemon http;
  const std::string screenshot = (std::filesystem::current_path() / "web_page.png").string();
  ChildProcess browser(
      TODO_NODE_PATH,
      {TODO_WEB_PAGE_SCRIPT, "http://127.0.0.1:" + std::to_string(http.port), screenshot},
      {{"TODO_TOKEN", http.token}});
  const Output output = browser.finish("", std::chrono::seconds(90));
  INFO("stdout:\n" << output.out << "\nstderr:\n" << output.err);
  REQUIRE(output.exit_code == 0);
  CHECK(std::filesystem::exists(screenshot));
  // Printed for whoever wants to look at the page the run left.
  std::printf("web page screenshot: %s (%lld ms)\n", screenshot.c_str(),
              static_cast<long long>(output.elapsed.count()));

  // The browser's run left nothing behind: it dropped the list it made.
  auto connection = http.connect();
  HttpReply names = connection.request(http::verb::get, "/api/v1/lists", http.token);
  CHECK(json::serialize(body_json(names)) == "[]");
}

}  // namespace todo::testing
