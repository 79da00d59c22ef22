// What todod's HTTP front door refuses, and what a refusal leaves alone:
// oversized bodies and headers, a client that dribbles its request or sends
// nothing, one connection too many, requests past the admission limit, plain
// HTTP off loopback; and HTTPS with a certificate made for the test.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "http_daemon.hpp"

namespace todo::testing {

TEST_CASE("A body over 64 KiB is answered 413 and a header over 8 KiB 431") {
  HttpDaemon http;
  {
    auto connection = http.connect();
    HttpReply too_big =
        connection.request(http::verb::post, "/api/v1/lists/bob/entries", http.token,
                           add_body("2026-12-02", std::string(70 * 1024, 'a')));
    CHECK(too_big.result_int() == 413);
    CHECK(error_code_of(too_big) == "payload_too_large");
    CHECK_FALSE(too_big.keep_alive());
  }
  {
    auto connection = http.connect();
    connection.send_raw("GET /api/v1/lists HTTP/1.1\r\nHost: x\r\nX-Padding: " +
                        std::string(9 * 1024, 'a') + "\r\n\r\n");
    HttpReply too_long = connection.read_reply();
    CHECK(too_long.result_int() == 431);
    CHECK(error_code_of(too_long) == "header_too_large");
  }
  {
    auto connection = http.connect();
    connection.send_raw("NOT HTTP AT ALL\r\n\r\n");
    CHECK(connection.read_reply().result_int() == 400);
  }
  // A body just under the limit is read, and its title refused for its length.
  auto connection = http.connect();
  HttpReply long_title =
      connection.request(http::verb::post, "/api/v1/lists/bob/entries", http.token,
                         add_body("2026-12-02", std::string(60 * 1024, 'a')));
  CHECK(long_title.result_int() == 400);
  CHECK(body_json(connection.request(http::verb::get, "/api/v1/lists/bob/entries", http.token))
            .as_array()
            .empty());
}

TEST_CASE("A client that dribbles its request is closed and another is served meanwhile") {
  // The idle timeout is well above the request timeout, so that a request
  // held to the idle one would be seen.
  HttpDaemon http({"--http-request-timeout", "1s", "--http-idle-timeout", "4s"});
  auto slow = http.connect();
  slow.send_raw("POST /api/v1/lists/bob/entries HTTP/1.1\r\nHost: x\r\n");
  const auto started = std::chrono::steady_clock::now();
  auto other = http.connect();
  for (int i = 0; i < 5; ++i) {
    slow.send_raw("X-Slow: a\r\n");
    HttpReply reply = other.request(http::verb::post, "/api/v1/lists/bob/entries", http.token,
                                    add_body("2026-12-02", "x"));
    REQUIRE(reply.result_int() == 201);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(slow.is_closed_by_server());
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= std::chrono::milliseconds(900));
  CHECK(waited < std::chrono::seconds(3));

  // One that sends nothing is closed after the idle timeout, not before.
  auto idle = http.connect();
  const auto idle_since = std::chrono::steady_clock::now();
  CHECK(idle.is_closed_by_server());
  CHECK(std::chrono::steady_clock::now() - idle_since >= std::chrono::milliseconds(3900));
}

TEST_CASE("A connection past the limit is answered 503 while the others are served") {
  HttpDaemon http({"--http-max-connections", "2"});
  auto first = http.connect();
  auto second = http.connect();
  CHECK(first.request(http::verb::get, "/api/v1/status", http.token).result_int() == 200);
  auto third = http.connect();
  HttpReply refused = third.read_reply();
  CHECK(refused.result_int() == 503);
  CHECK(refused[http::field::retry_after] == "1");
  CHECK(second.request(http::verb::get, "/api/v1/status", http.token).result_int() == 200);
}

TEST_CASE("Past the admission limit a request is answered 503 and nothing of it is stored") {
  HttpDaemon http({"--max-requests-in-progress", "1"});
  constexpr int kClients = 16;
  std::vector<std::unique_ptr<HttpConnection>> connections;
  for (int i = 0; i < kClients; ++i)
    connections.push_back(std::make_unique<HttpConnection>(http.port));
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::atomic<bool> has_retry_after{true};
  // Rounds of one POST on every connection at once, until one is refused:
  // with one request admitted at a time and each waiting for its fsync,
  // the first round nearly always has one.
  for (int round = 0; round < 20 && refused.load() == 0; ++round) {
    std::vector<std::thread> clients;
    for (auto& connection : connections) {
      clients.emplace_back([&] {
        HttpReply reply = connection->request(http::verb::post, "/api/v1/lists/busy/entries",
                                              http.token, add_body("2026-12-02", "x"));
        if (reply.result_int() == 201) {
          created.fetch_add(1);
        } else if (reply.result_int() == 503 &&
                   json::parse(reply.body()).at("error").at("code") == "busy") {
          refused.fetch_add(1);
          if (reply[http::field::retry_after] != "1") has_retry_after.store(false);
        } else {
          other.fetch_add(1);
        }
      });
    }
    for (auto& client : clients) client.join();
  }
  REQUIRE(refused.load() > 0);
  CHECK(has_retry_after.load());
  CHECK(other.load() == 0);
  HttpReply stored =
      connections[0]->request(http::verb::get, "/api/v1/lists/busy/entries", http.token);
  CHECK(body_json(stored).as_array().size() == static_cast<std::size_t>(created.load()));
}

TEST_CASE("Plain HTTP off loopback is refused before the data directory is made") {
  DaemonPlace place;
  ChildProcess todod(kTododPath, {"--data-dir", place.data_dir().string(), "--listen",
                                  place.endpoint(), "--http", "0.0.0.0:0"});
  const Output output = todod.finish("", std::chrono::seconds(20));
  CHECK(output.exit_code == 1);
  CHECK(output.err.find("refusing --http 0.0.0.0:0 without TLS") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(place.data_dir()));

  ChildProcess garbled(kTododPath, {"--data-dir", place.data_dir().string(), "--listen",
                                    place.endpoint(), "--http", "127.0.0.1"});
  const Output garbled_output = garbled.finish("", std::chrono::seconds(20));
  CHECK(garbled_output.exit_code == 1);
  CHECK(garbled_output.err.find("invalid --http address '127.0.0.1': no port") !=
        std::string::npos);
}

TEST_CASE("HTTPS serves with the certificate given and refuses plain HTTP") {
  TempDir keys;
  const std::string certificate = (keys.path() / "cert.pem").string();
  const std::string key = (keys.path() / "key.pem").string();
  ChildProcess openssl("/usr/bin/openssl",
                       {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  REQUIRE(openssl.finish().exit_code == 0);

  HttpDaemon http({"--tls-cert", certificate, "--tls-key", key});
  CHECK(http.daemon.started_log().find("https://127.0.0.1:") != std::string::npos);
  HttpConnection tls(http.port, certificate);
  HttpReply added = tls.request(http::verb::post, "/api/v1/lists/bob/entries", http.token,
                                add_body("2026-12-02", "over TLS"));
  CHECK(added.result_int() == 201);
  CHECK(body_json(tls.request(http::verb::get, "/api/v1/lists/bob/entries/1", http.token))
            .at("title") == "over TLS");

  auto plain = http.connect();
  plain.send_raw("GET /api/v1/lists HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_THROWS(plain.read_reply());
}

}  // namespace todo::testing
