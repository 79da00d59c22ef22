// An HTTP 201 means the entry is durable, as "ok" does on the socket: every
// acknowledged POST is there after a SIGTERM and a restart, and after a
// kill -9 in the middle of concurrent POSTs; a SIGTERM while responses of
// many pages stream stops todod cleanly.
#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

#include "http_daemon.hpp"

namespace todo::testing {
namespace {

// The ids of the list's entries, as HTTP reads them.
std::set<std::uint64_t> stored_ids(HttpDaemon& http, unsigned short port, const std::string& list) {
  HttpConnection connection(port);
  HttpReply all =
      connection.request(http::verb::get, "/api/v1/lists/" + list + "/entries", http.token);
  REQUIRE(all.result_int() == 200);
  std::set<std::uint64_t> ids;
  const json::value entries = body_json(all);
  for (const auto& entry : entries.as_array()) {
    ids.insert(entry.at("id").to_number<std::uint64_t>());
  }
  return ids;
}

}  // namespace

TEST_CASE("Every POST acknowledged over HTTP is there after SIGTERM and a restart") {
  HttpDaemon http;
  std::set<std::uint64_t> acknowledged;
  {
    auto connection = http.connect();
    for (int i = 0; i < 200; ++i) {
      HttpReply added = connection.request(http::verb::post, "/api/v1/lists/bob/entries",
                                           http.token, add_body("2026-12-02", "x"));
      REQUIRE(added.result_int() == 201);
      acknowledged.insert(id_of(added));
    }
  }
  REQUIRE(http.daemon.stop() == 0);
  http.daemon.start();
  CHECK(stored_ids(http, http_port_in(http.daemon.started_log()), "bob") == acknowledged);
}

TEST_CASE("kill -9 under concurrent POSTs loses no acknowledged entry") {
  HttpDaemon http;
  constexpr int kClients = 4;
  std::mutex mutex;
  std::set<std::uint64_t> acknowledged;
  std::atomic<bool> is_killed{false};
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&] {
      try {
        HttpConnection connection(http.port);
        while (!is_killed.load()) {
          HttpReply added = connection.request(http::verb::post, "/api/v1/lists/shared/entries",
                                               http.token, add_body("2026-12-02", "x"));
          if (added.result_int() != 201) continue;
          std::lock_guard lock(mutex);
          acknowledged.insert(id_of(added));
        }
      } catch (const std::exception&) {
        // The connection broke when todod died: what was acknowledged counts.
      }
    });
  }
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard lock(mutex);
    if (acknowledged.size() >= 300) break;
  }
  http.daemon.kill_hard();
  is_killed.store(true);
  for (auto& client : clients) client.join();

  http.daemon.start();
  const std::set<std::uint64_t> stored =
      stored_ids(http, http_port_in(http.daemon.started_log()), "shared");
  std::vector<std::uint64_t> lost;
  for (const std::uint64_t id : acknowledged) {
    if (!stored.contains(id)) lost.push_back(id);
  }
  INFO(acknowledged.size() << " acknowledged, " << stored.size() << " stored");
  CHECK(lost.empty());
}

TEST_CASE("SIGTERM while responses of many pages stream stops todod cleanly") {
  // Two I/O threads, so the stop waits for the hand-offs of both.
  HttpDaemon http({"--http-threads", "2"});
  std::string batch;
  for (int i = 1; i <= 5'000; ++i) batch += "add big 2026-12-02 entry " + std::to_string(i) + "\n";
  REQUIRE(acknowledged_adds(run_todo(http.place.endpoint(), {"batch"}, batch).out) == 5'000);
  constexpr int kClients = 4;
  std::atomic<int> responses{0};
  std::atomic<bool> is_stopped{false};
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&] {
      try {
        HttpConnection connection(http.port);
        while (!is_stopped.load()) {
          connection.request(http::verb::get, "/api/v1/lists/big/entries", http.token);
          responses.fetch_add(1);
        }
      } catch (const std::exception&) {
        // Cut short by the stop, as it should be.
      }
    });
  }
  while (responses.load() < kClients) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // Pages are being asked for and written on every connection now.
  const int exit_code = http.daemon.stop();
  is_stopped.store(true);
  for (auto& client : clients) client.join();
  CHECK(exit_code == 0);
}

}  // namespace todo::testing
