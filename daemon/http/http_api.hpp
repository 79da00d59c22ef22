// What todod's HTTP routes mean (docs/http.md): the JSON API under /api/v1/,
// the book's own routes (its Todo.Web: /add_entry and /entries), /metrics.
// A route becomes a Request for the RequestHandler, the one the ZeroMQ socket
// uses, so every operation has one implementation, with its admission and
// durability; the Reply becomes the response.
//
// A read of a whole list, or of every list name, goes a page at a time: each
// page is a Request of its own, and a response of more than one page is sent
// chunked, so that no connection holds more than a page of a big list.
//
// Every route but the web page's files needs `Authorization: Bearer TOKEN`
// (AccessTokens). A token
// limited to some lists sees only those, and is refused (403) the others; a
// read-only token may change nothing. List names are resolved as on the
// socket (resolve_list_name) before the token's patterns are checked, so a
// pattern is matched against the list the name means.
//
// Thread safety: route() and answer() may be called from any thread at once;
// an ApiCall is a plain value, used by one thread at a time.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/protocol.hpp"
#include "daemon/access_tokens.hpp"

namespace todo {

class Database;
class HttpMetrics;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The routes, for the per-route counts of /metrics.
enum class ApiRoute : std::uint8_t {
  list_names,      // /api/v1/lists
  list,            // /api/v1/lists/{list}
  entries,         // /api/v1/lists/{list}/entries
  entry,           // /api/v1/lists/{list}/entries/{id}
  undo,            // /api/v1/lists/{list}/undo
  status,          // /api/v1/status
  metrics,         // /metrics
  book_add_entry,  // /add_entry
  book_entries,    // /entries
  web_page,        // / (web_page.hpp)
  web_script,      // /app.js
  web_style,       // /style.css
  unknown,         // any other path
};
inline constexpr std::size_t kApiRouteCount = 13;
// The route's path pattern, as /metrics labels it.
std::string_view route_pattern(ApiRoute route);

// A request routed, between the RequestHandler and the response.
struct ApiCall {
  ApiRoute route = ApiRoute::unknown;
  Request request;
  std::string list;                 // the canonical name, for a route about one list
  std::optional<EntryId> entry_id;  // for the entry route
  TokenGrant grant;                 // filters the names of the list_names route
  // For a response of several pages: whether this is the first, and whether
  // an item went out before this page (a JSON array needs a comma).
  bool is_first_page = true;
  bool has_sent_items = false;
};

// The response to one page. On the call's first page: the status, the headers
// and the body (the first part of it when next is set); on later pages, only
// the body counts, as the next part.
struct ApiAnswer {
  HttpResponse response;
  std::optional<ApiCall> next;
};

class HttpApi {
 public:
  HttpApi(const Database& database, AccessTokens& tokens, const HttpMetrics& metrics);

  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Which route the request takes: the response at once (an error, a bad
  // token), or a call to hand to the RequestHandler.
  std::variant<HttpResponse, ApiCall> route(const HttpRequest& request) const;
  // The response to call's reply.
  ApiAnswer answer(ApiCall call, const Reply& reply) const;

  // An error response in the route's form (JSON for the API, plain text for
  // the book's routes): for the session's own refusals (413, 431, 503).
  static HttpResponse error_response(ApiRoute route, unsigned status, std::string_view code,
                                     std::string_view message);
  // The route a target would take, for a request refused before it was read
  // whole.
  static ApiRoute route_of(std::string_view target);

 private:
  const Database& database_;
  AccessTokens& tokens_;
  const HttpMetrics& metrics_;
};

}  // namespace todo
