// Access tokens end to end: made, listed and revoked with the real `todo`
// over the ZeroMQ socket, shown to the real todod over HTTP on 127.0.0.1.
// No token, a wrong one and a revoked one are refused 401; a read-only one
// and one outside its lists 403; GET /lists shows a token its lists alone;
// tokens survive a restart.
#include <catch2/catch.hpp>

#include "http_daemon.hpp"

namespace todo::testing {
namespace {

std::string names_of(HttpConnection& connection, const std::string& token) {
  HttpReply names = connection.request(http::verb::get, "/api/v1/lists", token);
  REQUIRE(names.result_int() == 200);
  return json::serialize(body_json(names));
}

int add_status(HttpConnection& connection, const std::string& token, const std::string& list) {
  return connection
      .request(http::verb::post, "/api/v1/lists/" + list + "/entries", token,
               add_body("2026-12-02", "Dentist"))
      .result_int();
}

}  // namespace

TEST_CASE("Requests without a valid token are refused 401 and say how to give one") {
  HttpDaemon http;
  auto connection = http.connect();
  for (const std::string& token : std::vector<std::string>{
           "", "wrong", "todo_" + std::string(64, '0'), http.token.substr(0, 68)}) {
    INFO("token '" << token << "'");
    HttpReply refused = connection.request(http::verb::get, "/api/v1/lists", token);
    CHECK(refused.result_int() == 401);
    CHECK(refused[http::field::www_authenticate].starts_with("Bearer"));
    CHECK(error_code_of(refused) == "unauthorized");
  }
  for (const std::string target :
       {"/api/v1/status", "/metrics", "/entries?list=a&date=2026-12-02"}) {
    INFO(target);
    CHECK(connection.request(http::verb::get, target, "").result_int() == 401);
  }
  CHECK(names_of(connection, http.token) == "[]");
}

TEST_CASE("A revoked token is refused from the next request on") {
  HttpDaemon http;
  const std::string phone = http.new_token("phone");
  auto connection = http.connect();
  REQUIRE(add_status(connection, phone, "bob") == 201);
  run_todo_ok(http.place.endpoint(), {"token", "revoke", "phone"});
  // On the same keep-alive connection.
  CHECK(connection.request(http::verb::get, "/api/v1/lists", phone).result_int() == 401);
  CHECK(add_status(connection, phone, "bob") == 401);
  CHECK(add_status(connection, http.token, "bob") == 201);

  const Output again = run_todo(http.place.endpoint(), {"token", "revoke", "phone"});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "todo: no token named 'phone' (see todo token list)\n");
}

TEST_CASE("A read-only token reads and is refused every change with 403") {
  HttpDaemon http;
  auto connection = http.connect();
  REQUIRE(add_status(connection, http.token, "bob") == 201);
  const std::string reader = http.new_token("reader", {"--read-only"});
  CHECK(connection.request(http::verb::get, "/api/v1/lists/bob/entries", reader).result_int() ==
        200);
  HttpReply refused = connection.request(http::verb::post, "/api/v1/lists/bob/entries", reader,
                                         add_body("2026-12-02", "x"));
  CHECK(refused.result_int() == 403);
  CHECK(body_json(refused).at("error").at("message") == "token 'reader' is read-only");
  CHECK(connection
            .request(http::verb::patch, "/api/v1/lists/bob/entries/1", reader, R"({"done":true})")
            .result_int() == 403);
  CHECK(
      connection.request(http::verb::delete_, "/api/v1/lists/bob/entries/1", reader).result_int() ==
      403);
  CHECK(connection.request(http::verb::delete_, "/api/v1/lists/bob", reader).result_int() == 403);
  CHECK(connection.request(http::verb::post, "/api/v1/lists/bob/undo", reader).result_int() == 403);
  CHECK(connection.request(http::verb::post, "/add_entry?list=bob&date=2026-12-02&title=x", reader)
            .result_int() == 403);
  // Nothing changed.
  HttpReply entries = connection.request(http::verb::get, "/api/v1/lists/bob/entries", reader);
  const json::value stored = body_json(entries);
  REQUIRE(stored.as_array().size() == 1);
  CHECK(stored.as_array()[0].at("done") == false);
}

TEST_CASE("A token limited to some lists sees only those and is refused the others") {
  HttpDaemon http;
  auto connection = http.connect();
  for (const std::string list : {"alice%2Fhome", "alice%2Fwork", "alice", "bob"}) {
    REQUIRE(add_status(connection, http.token, list) == 201);
  }
  const std::string alice = http.new_token("alice", {"--lists", "alice/*", "--lists", "bob"});
  CHECK(names_of(connection, alice) == R"(["alice/home","alice/work","bob"])");
  CHECK(names_of(connection, http.token) == R"(["alice","alice/home","alice/work","bob"])");
  CHECK(add_status(connection, alice, "alice%2Fnew") == 201);
  CHECK(add_status(connection, alice, "bob") == 201);
  HttpReply refused = connection.request(http::verb::get, "/api/v1/lists/alice/entries", alice);
  CHECK(refused.result_int() == 403);
  CHECK(error_code_of(refused) == "forbidden");
  CHECK(add_status(connection, alice, "carol") == 403);
  CHECK(connection.request(http::verb::delete_, "/api/v1/lists/alice", alice).result_int() == 403);
  CHECK(connection.request(http::verb::get, "/entries?list=carol&date=2026-12-02", alice)
            .result_int() == 403);
  // Status and metrics speak of every list.
  for (const std::string target : {"/api/v1/status", "/metrics"}) {
    INFO(target);
    CHECK(connection.request(http::verb::get, target, alice).result_int() == 403);
    CHECK(connection.request(http::verb::get, target, http.token).result_int() == 200);
  }
  // carol was never made.
  CHECK(names_of(connection, http.token) ==
        R"(["alice","alice/home","alice/new","alice/work","bob"])");
}

TEST_CASE("todo token lists names and use and never a secret and tokens survive a restart") {
  HttpDaemon http;
  const std::string phone = http.new_token("phone", {"--lists", "alice/*", "--read-only"});
  {
    auto connection = http.connect();
    REQUIRE(connection.request(http::verb::get, "/api/v1/lists", phone).result_int() == 200);
  }
  const std::string listed = run_todo_ok(http.place.endpoint(), {"token", "list"});
  CHECK(listed.find(phone) == std::string::npos);
  CHECK(listed.find(http.token) == std::string::npos);
  CHECK(listed.find("everything read-write every list, last used ") == 0);
  CHECK(listed.find("\nphone read-only lists 'alice/*', last used 20") != std::string::npos);

  REQUIRE(http.daemon.stop() == 0);
  http.daemon.start();
  HttpConnection connection(http_port_in(http.daemon.started_log()));
  CHECK(connection.request(http::verb::get, "/api/v1/lists", phone).result_int() == 200);
  CHECK(connection.request(http::verb::get, "/api/v1/lists", http.token).result_int() == 200);
  const json::value tokens =
      json::parse(run_todo_ok(http.place.endpoint(), {"--json", "token", "list"}));
  REQUIRE(tokens.as_array().size() == 2);
  const json::object& saved = tokens.as_array()[1].as_object();
  CHECK(saved.at("name") == "phone");
  CHECK(json::serialize(saved.at("lists")) == R"(["alice/*"])");
  CHECK(saved.at("read_only") == true);
  // The use before the restart was saved at shutdown.
  CHECK(saved.at("last_used").to_number<std::int64_t>() >=
        saved.at("created").to_number<std::int64_t>());
}

TEST_CASE("todo token add refuses a name twice and bad names and patterns") {
  HttpDaemon http;
  const std::string& endpoint = http.place.endpoint();
  const Output twice = run_todo(endpoint, {"token", "add", "everything"});
  CHECK(twice.exit_code == 1);
  CHECK(twice.err.find("there is a token named 'everything' already") != std::string::npos);
  CHECK(run_todo(endpoint, {"token", "add", "two words"}).exit_code == 1);
  CHECK(run_todo(endpoint, {"token", "add", "x", "--lists", "a*b"}).exit_code == 1);
  CHECK(run_todo(endpoint, {"token", "add", "x", "--lists"}).exit_code == 2);
  CHECK(run_todo(endpoint, {"token", "add", "--lists", "a"}).exit_code == 2);
  CHECK(run_todo(endpoint, {"token", "drop", "x"}).exit_code == 2);
  CHECK(run_todo_ok(endpoint, {"token", "list"}) ==
        "everything read-write every list, last used never\n");
}

}  // namespace todo::testing
