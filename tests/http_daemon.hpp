// A real todod serving HTTP on a port of 127.0.0.1 it picks, with a token
// that may do anything, and what the HTTP tests share to read its answers.
#pragma once

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>

#include "http_client.hpp"
#include "running_daemon.hpp"

namespace todo::testing {

namespace json = boost::json;

inline std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

struct HttpDaemon {
  explicit HttpDaemon(std::vector<std::string> extra_args = {})
      : daemon(place.data_dir(), place.endpoint(), with_http(std::move(extra_args))),
        port(http_port_in(daemon.started_log())),
        token(new_token("everything")) {}

  static std::vector<std::string> with_http(std::vector<std::string> args) {
    args.insert(args.begin(), {"--http", "127.0.0.1:0"});
    return args;
  }

  // `todo token add NAME ARGS...`: the secret it prints.
  std::string new_token(const std::string& name, std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"token", "add", name});
    return trimmed(run_todo_ok(place.endpoint(), args));
  }

  HttpConnection connect() { return HttpConnection(port); }

  DaemonPlace place;
  RunningDaemon daemon;
  unsigned short port;
  std::string token;
};

inline json::value body_json(const HttpReply& reply) {
  INFO("body: " << reply.body());
  return json::parse(reply.body());
}

inline std::string error_code_of(const HttpReply& reply) {
  return std::string(body_json(reply).at("error").at("code").as_string());
}

// Uses no Catch macro (which are not thread-safe): client threads may call
// it; it throws when the body holds no id.
inline std::uint64_t id_of(const HttpReply& reply) {
  return json::parse(reply.body()).at("id").to_number<std::uint64_t>();
}

inline std::string add_body(std::string_view date, std::string_view title) {
  return json::serialize(json::object{{"date", date}, {"title", title}});
}

}  // namespace todo::testing
