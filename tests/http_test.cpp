// todod's HTTP front door, through real TCP on 127.0.0.1 against a real
// todod: every route of docs/http.md and its status codes, the book's text
// routes, names that need percent-encoding, keep-alive, pipelining, streamed
// pages, tokens, TLS, the limits, and acknowledged POSTs across a restart and
// a kill -9.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "common/date_phrase.hpp"
#include "http_daemon.hpp"

namespace todo::testing {

TEST_CASE("The JSON API answers each route with its status and body") {
  HttpDaemon http;
  auto connection = http.connect();
  const std::string& token = http.token;

  HttpReply added = connection.request(http::verb::post, "/api/v1/lists/bob/entries", token,
                                       add_body("2026-12-02", "Dentist"));
  REQUIRE(added.result_int() == 201);
  CHECK(added[http::field::location] == "/api/v1/lists/bob/entries/1");
  CHECK(json::serialize(body_json(added)) ==
        R"({"id":1,"date":"2026-12-02","title":"Dentist","done":false,"tags":[]})");
  REQUIRE(connection
              .request(http::verb::post, "/api/v1/lists/bob/entries", token,
                       add_body("2026-12-03", "Movies"))
              .result_int() == 201);

  HttpReply all = connection.request(http::verb::get, "/api/v1/lists/bob/entries", token);
  REQUIRE(all.result_int() == 200);
  CHECK(all[http::field::content_type] == "application/json");
  CHECK(body_json(all).as_array().size() == 2);
  HttpReply one_date =
      connection.request(http::verb::get, "/api/v1/lists/bob/entries?date=2026-12-03", token);
  REQUIRE(body_json(one_date).as_array().size() == 1);
  CHECK(body_json(one_date).as_array()[0].at("title") == "Movies");

  HttpReply patched = connection.request(http::verb::patch, "/api/v1/lists/bob/entries/1", token,
                                         R"({"done": true, "title": "Dentist at 10"})");
  REQUIRE(patched.result_int() == 200);
  CHECK(body_json(patched).at("done") == true);
  HttpReply fetched = connection.request(http::verb::get, "/api/v1/lists/bob/entries/1", token);
  REQUIRE(fetched.result_int() == 200);
  CHECK(body_json(fetched).at("title") == "Dentist at 10");

  CHECK(
      connection.request(http::verb::delete_, "/api/v1/lists/bob/entries/1", token).result_int() ==
      204);
  HttpReply gone = connection.request(http::verb::get, "/api/v1/lists/bob/entries/1", token);
  CHECK(gone.result_int() == 404);
  CHECK(body_json(gone).at("error").at("message") == "no entry 1 in list 'bob'");
  CHECK(
      connection.request(http::verb::delete_, "/api/v1/lists/bob/entries/7", token).result_int() ==
      404);

  HttpReply names = connection.request(http::verb::get, "/api/v1/lists", token);
  CHECK(json::serialize(body_json(names)) == R"(["bob"])");
  HttpReply status = connection.request(http::verb::get, "/api/v1/status", token);
  REQUIRE(status.result_int() == 200);
  CHECK(body_json(status).at("version") == "0.1.0");
  CHECK(body_json(status).at("degraded") == "");

  CHECK(connection.request(http::verb::delete_, "/api/v1/lists/bob", token).result_int() == 204);
  HttpReply dropped_again = connection.request(http::verb::delete_, "/api/v1/lists/bob", token);
  CHECK(dropped_again.result_int() == 404);
  CHECK(json::serialize(body_json(connection.request(http::verb::get, "/api/v1/lists", token))) ==
        "[]");
}

TEST_CASE("The JSON API refuses bad requests with a JSON error naming the problem") {
  HttpDaemon http;
  auto connection = http.connect();
  const std::string& token = http.token;
  const auto post = [&](const std::string& body, const std::string& type = "application/json") {
    return connection.request(http::verb::post, "/api/v1/lists/bob/entries", token, body, type);
  };

  HttpReply bad_date = post(add_body("2026-02-30", "x"));
  CHECK(bad_date.result_int() == 400);
  CHECK(error_code_of(bad_date) == "invalid_argument");
  CHECK(post("{not json").result_int() == 400);
  CHECK(post("[1, 2]").result_int() == 400);
  HttpReply unknown_field = post(R"({"date": "2026-12-02", "title": "x", "priority": 1})");
  CHECK(unknown_field.result_int() == 400);
  CHECK(std::string(body_json(unknown_field).at("error").at("message").as_string())
            .find("priority") != std::string::npos);
  CHECK(post(R"({"date": "2026-12-02"})").result_int() == 400);
  CHECK(post(R"({"date": "2026-12-02", "title": ""})").result_int() == 400);
  CHECK(post(add_body("2026-12-02", "x"), "text/plain").result_int() == 415);
  CHECK(connection.request(http::verb::get, "/api/v1/lists/bob/entries?date=tomorrowish", token)
            .result_int() == 400);
  CHECK(connection.request(http::verb::get, "/api/v1/lists/bob/entries/abc", token).result_int() ==
        400);
  CHECK(connection.request(http::verb::patch, "/api/v1/lists/bob/entries/1", token, "{}")
            .result_int() == 400);
  CHECK(connection.request(http::verb::get, "/api/v1/lists/%E2%80%8Bbob/entries", token)
            .result_int() == 400);

  HttpReply wrong_method = connection.request(http::verb::put, "/api/v1/lists/bob/entries", token);
  CHECK(wrong_method.result_int() == 405);
  CHECK(wrong_method[http::field::allow] == "GET, POST");
  HttpReply unknown = connection.request(http::verb::get, "/api/v2/lists", token);
  CHECK(unknown.result_int() == 404);
  CHECK(error_code_of(unknown) == "not_found");
  // Nothing refused was stored.
  CHECK(body_json(connection.request(http::verb::get, "/api/v1/lists/bob/entries", token))
            .as_array()
            .empty());
}

TEST_CASE("Dates in the API may be written as the CLI takes them") {
  HttpDaemon http;
  auto connection = http.connect();
  const std::string& token = http.token;
  const std::string tomorrow = parse_date_phrase("tomorrow", local_today()).value().to_string();
  HttpReply added = connection.request(http::verb::post, "/api/v1/lists/bob/entries", token,
                                       add_body("Tomorrow", "Dentist"));
  REQUIRE(added.result_int() == 201);
  CHECK(body_json(added).at("date").as_string() == tomorrow);
  HttpReply moved = connection.request(http::verb::patch, "/api/v1/lists/bob/entries/1", token,
                                       R"({"date": "+1d"})");
  CHECK(body_json(moved).at("date").as_string() == tomorrow);
  HttpReply read =
      connection.request(http::verb::get, "/api/v1/lists/bob/entries?date=tomorrow", token);
  CHECK(json::serialize(body_json(read)) ==
        R"([{"id":1,"date":")" + tomorrow + R"(","title":"Dentist","done":false,"tags":[]}])");
  CHECK(connection.request(http::verb::post, "/add_entry?list=bob&date=tomorrow&title=Gym", token)
            .result_int() == 200);
  HttpReply refused = connection.request(http::verb::post, "/api/v1/lists/bob/entries", token,
                                         add_body("someday", "x"));
  CHECK(refused.result_int() == 400);
  CHECK(std::string(body_json(refused).at("error").at("message").as_string()) ==
        "invalid date 'someday': a date is " + std::string(kDateForms));
}

TEST_CASE("Entries may be filtered by query parameters") {
  HttpDaemon http;
  auto connection = http.connect();
  const std::string& token = http.token;
  for (const auto& [date, title] : {std::pair{"2026-12-01", "Buy milk"},
                                    {"2026-12-02", "Dentist"},
                                    {"2026-12-03", "MILKshake"},
                                    {"2026-12-04", "Gym"}}) {
    REQUIRE(
        connection
            .request(http::verb::post, "/api/v1/lists/bob/entries", token, add_body(date, title))
            .result_int() == 201);
  }
  REQUIRE(connection
              .request(http::verb::patch, "/api/v1/lists/bob/entries/2", token, R"({"done": true})")
              .result_int() == 200);
  const auto ids = [&](const std::string& query) {
    HttpReply reply =
        connection.request(http::verb::get, "/api/v1/lists/bob/entries?" + query, token);
    INFO(query << ": " << reply.body());
    REQUIRE(reply.result_int() == 200);
    std::vector<std::uint64_t> found;
    const json::array entries = body_json(reply).as_array();
    for (const json::value& entry : entries) {
      found.push_back(entry.at("id").to_number<std::uint64_t>());
    }
    return found;
  };
  using Ids = std::vector<std::uint64_t>;
  CHECK(ids("pending=true") == Ids{1, 3, 4});
  CHECK(ids("done=true") == Ids{2});
  CHECK(ids("from=2026-12-02&to=2026-12-03") == Ids{2, 3});
  CHECK(ids("search=milk") == Ids{1, 3});
  CHECK(ids("pending=true&search=MILK&from=2026-12-02") == Ids{3});
  for (const std::string& bad : std::vector<std::string>{
           "pending=true&done=true", "pending=yes", "from=2026-12-04&to=2026-12-01", "to=someday",
           "search=" + std::string(1025, 'a')}) {
    INFO(bad.substr(0, 40));
    HttpReply refused =
        connection.request(http::verb::get, "/api/v1/lists/bob/entries?" + bad, token);
    CHECK(refused.result_int() == 400);
    CHECK(error_code_of(refused) == "invalid_argument");
  }

  SECTION("across pages, each of up to 1000 matching entries") {
    std::string batch;
    for (int i = 1; i <= 2'500; ++i)
      batch += "add big 2026-12-02 entry " + std::to_string(i) + "\n";
    REQUIRE(acknowledged_adds(run_todo(http.place.endpoint(), {"batch"}, batch).out) == 2'500);
    HttpReply tens =
        connection.request(http::verb::get, "/api/v1/lists/big/entries?search=0", token);
    REQUIRE(tens.result_int() == 200);
    // Every title with a 0 in its number: fewer than a page, found over three.
    std::size_t expected = 0;
    for (int i = 1; i <= 2'500; ++i) expected += std::to_string(i).find('0') != std::string::npos;
    CHECK(body_json(tens).as_array().size() == expected);
    HttpReply pending =
        connection.request(http::verb::get, "/api/v1/lists/big/entries?pending=true", token);
    const json::array entries = body_json(pending).as_array();
    REQUIRE(entries.size() == 2'500);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      REQUIRE(entries[i].at("id").to_number<std::uint64_t>() == i + 1);
    }
  }
}

TEST_CASE("Entries carry tags: given on POST, replaced by PATCH, filtered by ?tag") {
  HttpDaemon http;
  auto connection = http.connect();
  const std::string& token = http.token;
  HttpReply added =
      connection.request(http::verb::post, "/api/v1/lists/bob/entries", token,
                         R"({"date":"2026-12-04","title":"Report","tags":["work","q4","work"]})");
  REQUIRE(added.result_int() == 201);
  CHECK(json::serialize(body_json(added)) ==
        R"({"id":1,"date":"2026-12-04","title":"Report","done":false,"tags":["q4","work"]})");
  REQUIRE(connection
              .request(http::verb::post, "/api/v1/lists/bob/entries", token,
                       R"({"date":"2026-12-05","title":"Gym","tags":["health"]})")
              .result_int() == 201);
  const auto titles = [&](const std::string& query) {
    HttpReply reply =
        connection.request(http::verb::get, "/api/v1/lists/bob/entries?" + query, token);
    INFO(query << ": " << reply.body());
    REQUIRE(reply.result_int() == 200);
    std::vector<std::string> found;
    const json::array entries = body_json(reply).as_array();
    for (const json::value& entry : entries) {
      found.emplace_back(entry.at("title").as_string());
    }
    return found;
  };
  using Titles = std::vector<std::string>;
  CHECK(titles("tag=work") == Titles{"Report"});
  CHECK(titles("tag=work,q4") == Titles{"Report"});
  CHECK(titles("tag=work,health").empty());

  HttpReply retagged = connection.request(http::verb::patch, "/api/v1/lists/bob/entries/1", token,
                                          R"({"tags":["health","work"]})");
  REQUIRE(retagged.result_int() == 200);
  CHECK(json::serialize(body_json(retagged).at("tags")) == R"(["health","work"])");
  CHECK(titles("tag=health") == Titles{"Report", "Gym"});
  // The CLI sees what the API wrote.
  CHECK(run_todo_ok(http.place.endpoint(), {"show", "bob", "1"}) ==
        "1 2026-12-04 [ ] Report +health +work\n");

  for (const std::string& bad :
       {std::string(R"({"tags":"work"})"), std::string(R"({"tags":["two words"]})"),
        std::string(R"({"tags":[7]})")}) {
    INFO(bad);
    HttpReply refused =
        connection.request(http::verb::patch, "/api/v1/lists/bob/entries/1", token, bad);
    CHECK(refused.result_int() == 400);
    CHECK(error_code_of(refused) == "invalid_argument");
  }
  HttpReply bad_filter =
      connection.request(http::verb::get, "/api/v1/lists/bob/entries?tag=-x", token);
  CHECK(bad_filter.result_int() == 400);
  CHECK(body_json(bad_filter).at("error").at("message") ==
        "tag '-x' starts with '-': write the word without it");
  CHECK(titles("tag=health") == Titles{"Report", "Gym"});
}

TEST_CASE("POST on a list's undo reverts its last change and says which") {
  HttpDaemon http;
  auto connection = http.connect();
  const std::string& token = http.token;
  REQUIRE(connection
              .request(http::verb::post, "/api/v1/lists/bob/entries", token,
                       R"({"date":"2026-12-04","title":"Report","tags":["work"]})")
              .result_int() == 201);
  REQUIRE(connection
              .request(http::verb::patch, "/api/v1/lists/bob/entries/1", token, R"({"done":true})")
              .result_int() == 200);
  REQUIRE(connection.request(http::verb::delete_, "/api/v1/lists/bob", token).result_int() == 204);

  const auto undo = [&] {
    return connection.request(http::verb::post, "/api/v1/lists/bob/undo", token);
  };
  HttpReply drop = undo();
  REQUIRE(drop.result_int() == 200);
  CHECK(json::serialize(body_json(drop)) == R"({"undid":"drop","entries":1})");
  HttpReply update = undo();
  REQUIRE(update.result_int() == 200);
  CHECK(json::serialize(body_json(update)) ==
        R"({"undid":"update","entries":1,"entry":{"id":1,"date":"2026-12-04","title":"Report",)"
        R"("done":false,"tags":["work"]}})");
  CHECK(json::serialize(body_json(undo()).at("undid")) == R"("add")");
  HttpReply nothing = undo();
  CHECK(nothing.result_int() == 404);
  CHECK(body_json(nothing).at("error").at("message") ==
        "nothing to undo in list 'bob': it keeps its last 100 changes");
  CHECK(run_todo_ok(http.place.endpoint(), {"entries", "bob"}).empty());
  HttpReply wrong_method = connection.request(http::verb::get, "/api/v1/lists/bob/undo", token);
  CHECK(wrong_method.result_int() == 405);
  CHECK(wrong_method[http::field::allow] == "POST");
}

TEST_CASE("The book's routes answer as the book's clients expect") {
  HttpDaemon http;
  auto connection = http.connect();
  HttpReply added = connection.request(
      http::verb::post, "/add_entry?list=bob&date=2018-12-19&title=Dentist", http.token);
  CHECK(added.result_int() == 200);
  CHECK(added.body() == "OK");
  connection.request(http::verb::post, "/add_entry?list=bob&date=2018-12-19&title=Shopping+mall",
                     http.token);
  connection.request(http::verb::post, "/add_entry?list=bob&date=2018-12-20&title=Movies",
                     http.token);
  HttpReply entries =
      connection.request(http::verb::get, "/entries?list=bob&date=2018-12-19", http.token);
  CHECK(entries.result_int() == 200);
  CHECK(entries[http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(entries.body() == "2018-12-19 Dentist\n2018-12-19 Shopping mall");
  HttpReply missing = connection.request(http::verb::get, "/entries?list=bob", http.token);
  CHECK(missing.result_int() == 400);
  CHECK(missing.body() == "missing query parameter 'date'\n");
  CHECK(connection.request(http::verb::get, "/no_such_route", http.token).result_int() == 404);
}

TEST_CASE("List names that need percent-encoding round trip through every route") {
  HttpDaemon http;
  auto connection = http.connect();
  for (const std::string name : {"alice/home", "café au lait", "日本語", "a+b&c=d%e?f#g"}) {
    INFO("list " << name);
    const std::string segment = boost::urls::encode(name, boost::urls::pchars);
    HttpReply added = connection.request(http::verb::post, "/api/v1/lists/" + segment + "/entries",
                                         http.token, add_body("2026-12-02", name));
    REQUIRE(added.result_int() == 201);
    const std::string location(added[http::field::location]);
    HttpReply fetched = connection.request(http::verb::get, location, http.token);
    REQUIRE(fetched.result_int() == 200);
    CHECK(body_json(fetched).at("title").as_string() == name.c_str());
    // The ZeroMQ socket sees the same list under the same name.
    CHECK(run_todo_ok(http.place.endpoint(), {"entries", name}).find(name) != std::string::npos);
  }
  std::set<std::string> names;
  const json::value listed =
      body_json(connection.request(http::verb::get, "/api/v1/lists", http.token));
  for (const auto& name : listed.as_array()) names.insert(std::string(name.as_string()));
  CHECK(names == std::set<std::string>{"alice/home", "café au lait", "日本語", "a+b&c=d%e?f#g"});
}

TEST_CASE("A read of many pages sends every entry in id order") {
  HttpDaemon http;
  std::string batch;
  for (int i = 1; i <= 2'500; ++i) batch += "add big 2026-12-02 entry " + std::to_string(i) + "\n";
  REQUIRE(acknowledged_adds(run_todo(http.place.endpoint(), {"batch"}, batch).out) == 2'500);
  auto connection = http.connect();
  HttpReply all = connection.request(http::verb::get, "/api/v1/lists/big/entries", http.token);
  REQUIRE(all.result_int() == 200);
  CHECK(all.chunked());
  const json::array entries = body_json(all).as_array();
  REQUIRE(entries.size() == 2'500);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    REQUIRE(entries[i].at("id").to_number<std::uint64_t>() == i + 1);
  }
  HttpReply text =
      connection.request(http::verb::get, "/entries?list=big&date=2026-12-02", http.token);
  CHECK(count_of(text.body(), "\n") == 2'499);
  CHECK(text.body().ends_with("2026-12-02 entry 2500"));
  // The connection goes on after a chunked response.
  CHECK(connection.request(http::verb::get, "/api/v1/status", http.token).result_int() == 200);

  SECTION("to HTTP/1.0, which has no chunks, the body ends with the connection") {
    auto old_client = http.connect();
    old_client.send_raw("GET /api/v1/lists/big/entries HTTP/1.0\r\nAuthorization: Bearer " +
                        http.token + "\r\n\r\n");
    const std::string response = old_client.read_until_closed();
    const std::size_t body_start = response.find("\r\n\r\n") + 4;
    const std::string head = response.substr(0, body_start);
    INFO(head);
    CHECK(head.starts_with("HTTP/1.0 200 OK\r\n"));
    CHECK(head.find("Transfer-Encoding") == std::string::npos);
    CHECK(json::parse(response.substr(body_start)).as_array().size() == 2'500);
  }
}

TEST_CASE("One keep-alive connection serves a thousand requests") {
  HttpDaemon http;
  auto connection = http.connect();
  for (int i = 1; i <= 1'000; ++i) {
    HttpReply reply = i % 2 ? connection.request(http::verb::post, "/api/v1/lists/bob/entries",
                                                 http.token, add_body("2026-12-02", "x"))
                            : connection.request(
                                  http::verb::get,
                                  "/api/v1/lists/bob/entries/" + std::to_string(i / 2), http.token);
    REQUIRE(reply.result_int() == (i % 2 ? 201 : 200));
    REQUIRE(reply.keep_alive());
  }
}

TEST_CASE("Pipelined requests are answered in the order they were sent") {
  HttpDaemon http;
  auto connection = http.connect();
  std::string pipelined;
  constexpr int kRequests = 50;
  for (int i = 0; i < kRequests; ++i) {
    const std::string body = add_body("2026-12-02", "entry " + std::to_string(i));
    pipelined += "POST /api/v1/lists/bob/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                 http.token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body;
    pipelined += "GET /api/v1/lists/bob/entries/" + std::to_string(i + 1) +
                 " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + http.token + "\r\n\r\n";
  }
  connection.send_raw(pipelined);
  for (int i = 0; i < kRequests; ++i) {
    HttpReply added = connection.read_reply();
    REQUIRE(added.result_int() == 201);
    CHECK(id_of(added) == static_cast<std::uint64_t>(i + 1));
    HttpReply fetched = connection.read_reply();
    REQUIRE(fetched.result_int() == 200);
    CHECK(body_json(fetched).at("title").as_string() == ("entry " + std::to_string(i)).c_str());
  }
}

TEST_CASE("Concurrent clients on several I/O threads adding to one list get distinct ids") {
  // Eight connections over three threads: each thread serves some of them,
  // all adding to one list's actor.
  HttpDaemon http({"--http-threads", "3"});
  constexpr int kClients = 8;
  constexpr int kAddsEach = 50;
  std::vector<std::vector<std::uint64_t>> ids(kClients);
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      auto connection = http.connect();
      for (int i = 0; i < kAddsEach; ++i) {
        HttpReply added = connection.request(http::verb::post, "/api/v1/lists/shared/entries",
                                             http.token, add_body("2026-12-02", "x"));
        if (added.result_int() == 201) ids[client].push_back(id_of(added));
      }
    });
  }
  for (auto& client : clients) client.join();
  std::set<std::uint64_t> distinct;
  for (const auto& some : ids) distinct.insert(some.begin(), some.end());
  CHECK(distinct.size() == kClients * kAddsEach);
  CHECK(
      body_json(http.connect().request(http::verb::get, "/api/v1/lists/shared/entries", http.token))
          .as_array()
          .size() == kClients * kAddsEach);
}

TEST_CASE("Metrics count requests by route and their latency") {
  HttpDaemon http;
  auto connection = http.connect();
  for (int i = 0; i < 3; ++i) {
    connection.request(http::verb::post, "/api/v1/lists/bob/entries", http.token,
                       add_body("2026-12-02", "x"));
  }
  connection.request(http::verb::get, "/api/v1/lists/bob/entries/9", http.token);
  HttpReply metrics = connection.request(http::verb::get, "/metrics", http.token);
  REQUIRE(metrics.result_int() == 200);
  const std::string& text = metrics.body();
  CHECK(text.find("todo_http_requests_total{route=\"/api/v1/lists/{list}/entries\",code=\"2xx\"} "
                  "3\n") != std::string::npos);
  CHECK(text.find("todo_http_requests_total{route=\"/api/v1/lists/{list}/entries/{id}\","
                  "code=\"4xx\"} 1\n") != std::string::npos);
  CHECK(text.find("todo_http_request_duration_seconds_count 4\n") != std::string::npos);
  CHECK(text.find("todo_database_writes_total 3\n") != std::string::npos);
  CHECK(connection.request(http::verb::get, "/metrics", "").result_int() == 401);
}
}  // namespace todo::testing
