#include "daemon/http/http_api.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <vector>

#include "common/date_phrase.hpp"
#include "common/json_values.hpp"
#include "common/validation.hpp"
#include "daemon/http/http_metrics.hpp"
#include "daemon/http/web_page.hpp"
#include "daemon/list_name_resolution.hpp"

namespace todo {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace urls = boost::urls;

// Entries or names per page of a read that streams: as many as one request
// may ask for.
constexpr std::uint32_t kPageSize = GetEntries::kMaxLimit;
static_assert(kPageSize == ListNames::kMaxLimit);

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kText = "text/plain; charset=utf-8";

bool is_book_route(ApiRoute route) {
  return route == ApiRoute::book_add_entry || route == ApiRoute::book_entries;
}

// A request parsed far enough to be routed: its route, and the decoded path
// segments after the route's fixed ones (the list name, the entry id).
struct Target {
  ApiRoute route = ApiRoute::unknown;
  std::string list;
  std::string entry_id;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, '+' as space
};

Target parse_target(std::string_view text) {
  Target target;
  auto url = urls::parse_origin_form(text);
  if (!url) return target;
  std::vector<std::string> segments;
  for (auto segment : url->segments()) segments.push_back(segment);
  // The form encoding of HTML and of the book's clients: '+' is a space.
  for (auto param : url->params(urls::encoding_opts(true))) {
    target.query.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  const auto is = [&](std::initializer_list<std::string_view> fixed) {
    if (segments.size() < fixed.size()) return false;
    std::size_t i = 0;
    for (std::string_view part : fixed) {
      if (!part.empty() && segments[i] != part) return false;
      ++i;
    }
    return true;
  };
  const std::size_t count = segments.size();
  if (url->encoded_path() == "/") {
    target.route = ApiRoute::web_page;
  } else if (count == 1 && is({"app.js"})) {
    target.route = ApiRoute::web_script;
  } else if (count == 1 && is({"style.css"})) {
    target.route = ApiRoute::web_style;
  } else if (count == 1 && is({"metrics"})) {
    target.route = ApiRoute::metrics;
  } else if (count == 1 && is({"add_entry"})) {
    target.route = ApiRoute::book_add_entry;
  } else if (count == 1 && is({"entries"})) {
    target.route = ApiRoute::book_entries;
  } else if (count == 3 && is({"api", "v1", "status"})) {
    target.route = ApiRoute::status;
  } else if (count == 3 && is({"api", "v1", "lists"})) {
    target.route = ApiRoute::list_names;
  } else if (count == 4 && is({"api", "v1", "lists"})) {
    target.route = ApiRoute::list;
  } else if (count == 5 && is({"api", "v1", "lists", "", "entries"})) {
    target.route = ApiRoute::entries;
  } else if (count == 5 && is({"api", "v1", "lists", "", "undo"})) {
    target.route = ApiRoute::undo;
  } else if (count == 6 && is({"api", "v1", "lists", "", "entries"})) {
    target.route = ApiRoute::entry;
    target.entry_id = segments[5];
  }
  // The routes of four segments or more all name a list in the fourth.
  if (count >= 4 && target.route != ApiRoute::unknown) {
    target.list = segments[3];
  }
  return target;
}

std::string_view allowed_methods(ApiRoute route) {
  switch (route) {
    case ApiRoute::list_names:
    case ApiRoute::status:
    case ApiRoute::metrics:
    case ApiRoute::book_entries:
      return "GET";
    case ApiRoute::list:
      return "DELETE";
    case ApiRoute::entries:
      return "GET, POST";
    case ApiRoute::entry:
      return "GET, PATCH, DELETE";
    case ApiRoute::undo:
    case ApiRoute::book_add_entry:
      return "POST";
    case ApiRoute::web_page:
    case ApiRoute::web_script:
    case ApiRoute::web_style:
      return "GET, HEAD";
    case ApiRoute::unknown:
      break;
  }
  return "";
}

bool is_allowed(ApiRoute route, http::verb method) {
  const std::string_view allowed = allowed_methods(route);
  const std::string_view name = http::to_string(method);
  for (std::size_t start = 0; start < allowed.size();) {
    std::size_t end = allowed.find(", ", start);
    if (end == std::string_view::npos) end = allowed.size();
    if (allowed.substr(start, end - start) == name) return true;
    start = end + 2;
  }
  return false;
}

HttpResponse response_with(http::status status, std::string_view content_type, std::string body) {
  HttpResponse response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

HttpResponse no_content() { return HttpResponse{http::status::no_content, 11}; }

std::pair<unsigned, std::string_view> http_status_of(StatusCode code) {
  switch (code) {
    case StatusCode::not_found:
      return {404, code_name(code)};
    case StatusCode::invalid_argument:
      return {400, code_name(code)};
    case StatusCode::busy:
      return {503, code_name(code)};
    case StatusCode::ok:
    case StatusCode::internal:
      break;
  }
  return {500, code_name(StatusCode::internal)};
}

HttpResponse failure_response(ApiRoute route, const Error& error) {
  const auto [status, code] = http_status_of(error.code);
  HttpResponse response = HttpApi::error_response(route, status, code, error.message);
  // Admission refused it: nothing was changed, and a moment later it may go.
  if (error.code == StatusCode::busy) response.set(http::field::retry_after, "1");
  return response;
}

std::optional<std::string_view> query_value(const Target& target, std::string_view key) {
  for (const auto& [name, value] : target.query) {
    if (name == key) return value;
  }
  return std::nullopt;
}

// The bearer token of an Authorization header (RFC 6750), or empty.
std::string_view bearer_token(const HttpRequest& request) {
  const auto header = request.find(http::field::authorization);
  if (header == request.end()) return {};
  std::string_view value = header->value();
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !beast::iequals(value.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

bool is_json_request(const HttpRequest& request) {
  const auto header = request.find(http::field::content_type);
  if (header == request.end()) return false;
  std::string_view media_type = header->value();
  media_type = media_type.substr(0, media_type.find(';'));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  return beast::iequals(media_type, kJson);
}

// The body of a POST or PATCH, as an object; the error names what is wrong.
Result<json::object> json_object_body(const HttpRequest& request) {
  boost::system::error_code error;
  json::value value = json::parse(request.body(), error);
  if (error) return Error::invalid("the body is not JSON: " + error.message());
  if (!value.is_object()) return Error::invalid("the body must be a JSON object");
  return std::move(value.as_object());
}

Result<std::string> string_field(const json::value& value, std::string_view name) {
  if (!value.is_string()) {
    return Error::invalid("\"" + std::string(name) + "\" must be a string");
  }
  return std::string(value.as_string());
}

// A date in any form common/date_phrase.hpp reads, as the CLI takes it; a
// relative one is counted from todod's local date, and only such a one reads
// the clock.
Result<Date> date_from(std::string_view text) {
  if (auto exact = Date::parse(text)) return exact;
  return parse_date_phrase(text, local_today());
}

// The filter of GET .../entries: ?pending=true or ?done=true, from, to,
// search, tag; none when the query names none of them.
Result<std::shared_ptr<const EntryFilter>> entry_filter_from(const Target& target) {
  EntryFilter filter;
  bool is_filtered = false;
  for (const std::string_view state : {"pending", "done"}) {
    const auto text = query_value(target, state);
    if (!text) continue;
    if (*text != "true") {
      return Error::invalid("query parameter '" + std::string(state) +
                            "' may only be 'true', not '" + std::string(*text) + "'");
    }
    if (filter.done != DoneState::any) {
      return Error::invalid("'pending' and 'done' cannot go together");
    }
    filter.done = state == "pending" ? DoneState::pending : DoneState::done;
    is_filtered = true;
  }
  for (const std::string_view end : {"from", "to"}) {
    const auto text = query_value(target, end);
    if (!text) continue;
    auto date = date_from(*text);
    if (!date) return date.error();
    (end == "from" ? filter.from : filter.to) = date.value();
    is_filtered = true;
  }
  if (const auto text = query_value(target, "search")) {
    filter.search = std::string(*text);
    is_filtered = true;
  }
  if (const auto text = query_value(target, "tag")) {
    // ?tag=a,b: entries that carry both.
    for (std::size_t start = 0; start <= text->size();) {
      const std::size_t comma = std::min(text->find(',', start), text->size());
      filter.tags.emplace_back(text->substr(start, comma - start));
      start = comma + 1;
    }
    is_filtered = true;
  }
  if (!is_filtered) return std::shared_ptr<const EntryFilter>();
  if (auto valid = validate_entry_filter(filter); !valid) return valid.error();
  return std::make_shared<const EntryFilter>(std::move(filter));
}

Result<Date> date_field(const json::value& value) {
  auto text = string_field(value, "date");
  if (!text) return std::move(text).error();
  return date_from(text.value());
}

// An array of tags, checked as the list will check them.
Result<Tags> tags_field(const json::value& value) {
  const json::array* array = value.if_array();
  if (array == nullptr) return Error::invalid("\"tags\" must be an array of strings");
  Tags tags;
  for (const json::value& element : *array) {
    auto text = string_field(element, "tags");
    if (!text) return std::move(text).error();
    tags.push_back(std::move(text).value());
  }
  return normalized_tags(std::move(tags));
}

Result<AddEntry> add_entry_from(const json::object& body) {
  std::optional<Date> date;
  std::optional<std::string> title;
  Tags tags;
  for (const auto& [key, value] : body) {
    if (key == "date") {
      auto parsed = date_field(value);
      if (!parsed) return parsed.error();
      date = parsed.value();
    } else if (key == "title") {
      auto text = string_field(value, key);
      if (!text) return std::move(text).error();
      title = std::move(text).value();
    } else if (key == "tags") {
      auto parsed = tags_field(value);
      if (!parsed) return std::move(parsed).error();
      tags = std::move(parsed).value();
    } else {
      return Error::invalid("unknown field " + quoted_for_message(key) +
                            " (an entry has \"date\", \"title\" and \"tags\")");
    }
  }
  if (!date) return Error::invalid("the entry needs a \"date\" (YYYY-MM-DD)");
  if (!title) return Error::invalid("the entry needs a \"title\"");
  return AddEntry{*date, std::move(*title), std::move(tags)};
}

Result<EntryChange> entry_change_from(const json::object& body) {
  EntryChange change;
  for (const auto& [key, value] : body) {
    if (key == "date") {
      auto parsed = date_field(value);
      if (!parsed) return parsed.error();
      change.date = parsed.value();
    } else if (key == "title") {
      auto text = string_field(value, key);
      if (!text) return std::move(text).error();
      change.title = std::move(text).value();
    } else if (key == "done") {
      if (!value.is_bool()) return Error::invalid("\"done\" must be true or false");
      change.done = value.as_bool();
    } else if (key == "tags") {
      auto parsed = tags_field(value);
      if (!parsed) return std::move(parsed).error();
      change.tags = std::make_shared<const TagChange>(TagChange{std::move(parsed).value(), {}, {}});
    } else {
      return Error::invalid("unknown field " + quoted_for_message(key) +
                            " (an entry may change \"date\", \"title\", \"done\" and \"tags\")");
    }
  }
  if (!change.changes_anything()) {
    return Error::invalid("nothing to change: give any of \"date\", \"title\", \"done\", \"tags\"");
  }
  return change;
}

Result<EntryId> entry_id_from(std::string_view text) {
  EntryId id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id == 0) {
    return Error::invalid("invalid entry id " + quoted_for_message(text) +
                          " (ids are whole numbers from 1)");
  }
  return id;
}

std::string entry_location(std::string_view list, EntryId id) {
  return "/api/v1/lists/" + urls::encode(list, urls::pchars) + "/entries/" + std::to_string(id);
}

// Views into the reply, which must outlive them.
Result<std::vector<EntryView>> entries_of(const Reply& reply) {
  if (const auto* encoded = std::get_if<EncodedEntries>(&reply.payload)) {
    return view_entries(*encoded);
  }
  if (const auto* entries = std::get_if<std::vector<Entry>>(&reply.payload)) {
    std::vector<EntryView> views;
    views.reserve(entries->size());
    for (const Entry& entry : *entries) {
      views.push_back({entry.id, entry.date, entry.title, entry.done,
                       std::vector<std::string_view>(entry.tags.begin(), entry.tags.end())});
    }
    return views;
  }
  return Error::internal("the reply holds no entries");
}

const ListOperation& operation_of(const ApiCall& call) {
  return std::get<ListCommand>(call.request.command).operation;
}

// One page's part of a body that may span pages: the items joined by
// separator, opened and closed (a JSON array's brackets) on the first and
// last page. Each item is appended in place by append_item(part, item), so
// a page of a thousand entries makes one string, not a thousand.
// expected_bytes, reserved at once, spares a page the string's growth by
// doubling.
template <class Items, class AppendItem>
std::string page_part(ApiCall& call, const Items& items, std::size_t expected_bytes, bool is_last,
                      std::string_view open, std::string_view separator, std::string_view close,
                      AppendItem append_item) {
  std::string part;
  part.reserve(expected_bytes);
  if (call.is_first_page) part += open;
  for (const auto& item : items) {
    if (call.has_sent_items) part += separator;
    append_item(part, item);
    call.has_sent_items = true;
  }
  if (is_last) part += close;
  return part;
}

// The bytes of the items' text, with per_item more for each.
template <class Items, class TextOf>
std::size_t text_bytes(const Items& items, std::size_t per_item, TextOf text_of) {
  std::size_t bytes = 0;
  for (const auto& item : items) bytes += text_of(item).size() + per_item;
  return bytes;
}

// A date as text, made again only when the date changes: the entries of a
// page read by date all share one, and formatting it was a tenth of such a
// read's time on the I/O thread.
class DateText {
 public:
  std::string_view of(Date date) {
    if (!last_ || *last_ != date) {
      text_.clear();
      date.append_to(text_);
      last_ = date;
    }
    return text_;
  }

 private:
  std::optional<Date> last_;
  std::string text_;
};

// Serialized straight into part, with no string of its own.
void append_json(std::string& part, const json::value& value) {
  json::serializer serializer;
  serializer.reset(&value);
  char buffer[1024];
  while (!serializer.done()) part.append(serializer.read(buffer));
}

}  // namespace

std::string_view route_pattern(ApiRoute route) {
  switch (route) {
    case ApiRoute::list_names:
      return "/api/v1/lists";
    case ApiRoute::list:
      return "/api/v1/lists/{list}";
    case ApiRoute::entries:
      return "/api/v1/lists/{list}/entries";
    case ApiRoute::entry:
      return "/api/v1/lists/{list}/entries/{id}";
    case ApiRoute::undo:
      return "/api/v1/lists/{list}/undo";
    case ApiRoute::status:
      return "/api/v1/status";
    case ApiRoute::metrics:
      return "/metrics";
    case ApiRoute::book_add_entry:
      return "/add_entry";
    case ApiRoute::book_entries:
      return "/entries";
    case ApiRoute::web_page:
      return "/";
    case ApiRoute::web_script:
      return "/app.js";
    case ApiRoute::web_style:
      return "/style.css";
    case ApiRoute::unknown:
      break;
  }
  return "unknown";
}

HttpApi::HttpApi(const Database& database, AccessTokens& tokens, const HttpMetrics& metrics)
    : database_(database), tokens_(tokens), metrics_(metrics) {}

HttpResponse HttpApi::error_response(ApiRoute route, unsigned status, std::string_view code,
                                     std::string_view message) {
  if (is_book_route(route)) {
    return response_with(static_cast<http::status>(status), kText, std::string(message) + "\n");
  }
  json::object error{{"code", code}, {"message", message}};
  return response_with(static_cast<http::status>(status), kJson,
                       json::serialize(json::object{{"error", std::move(error)}}));
}

ApiRoute HttpApi::route_of(std::string_view target) { return parse_target(target).route; }

std::variant<HttpResponse, ApiCall> HttpApi::route(const HttpRequest& request) const {
  Target target = parse_target(request.target());
  const ApiRoute route = target.route;
  const auto refuse = [route](unsigned status, std::string_view code, std::string_view message) {
    return error_response(route, status, code, message);
  };
  if (route == ApiRoute::unknown) {
    return refuse(404, "not_found",
                  "no route " + quoted_for_message(request.target()) + " (docs/http.md)");
  }
  if (!is_allowed(route, request.method())) {
    HttpResponse response = refuse(405, "method_not_allowed",
                                   std::string(request.method_string()) + " is not allowed on " +
                                       std::string(route_pattern(route)) + "; it takes " +
                                       std::string(allowed_methods(route)));
    response.set(http::field::allow, allowed_methods(route));
    return response;
  }
  // The page holds no data, so it needs no token; its API calls do.
  if (is_web_page_route(route)) return web_file_response(route);

  const std::string_view secret = bearer_token(request);
  std::optional<TokenGrant> grant;
  if (!secret.empty()) grant = tokens_.authenticate(secret);
  if (!grant) {
    HttpResponse response =
        secret.empty()
            ? refuse(401, "unauthorized",
                     "this route needs the header 'Authorization: Bearer TOKEN'; "
                     "`todo token add NAME` makes a token")
            : refuse(401, "unauthorized", "the token is not valid: revoked, or never made");
    response.set(http::field::www_authenticate,
                 secret.empty() ? "Bearer realm=\"todod\""
                                : "Bearer realm=\"todod\", error=\"invalid_token\"");
    return response;
  }

  ApiCall call{.route = route, .grant = std::move(*grant)};
  const TokenGrant& token = call.grant;
  if (route == ApiRoute::status || route == ApiRoute::metrics) {
    // They speak of every list (counters, a damaged file's path): not for a
    // token that may see only some.
    if (!token.list_patterns.empty()) {
      return refuse(403, "forbidden",
                    "token " + quoted_for_message(token.name) +
                        " is limited to some lists; status and metrics need a token for every "
                        "list");
    }
    call.request.command = Ping{};
    return call;
  }
  if (route == ApiRoute::list_names) {
    call.request.command = ListNames{.after = {}, .limit = kPageSize};
    return call;
  }

  // Every other route is about one list.
  if (is_book_route(route)) {
    const auto list = query_value(target, "list");
    if (!list) return refuse(400, "invalid_argument", "missing query parameter 'list'");
    target.list = std::string(*list);
  }
  auto list = resolve_list_name(database_, std::move(target.list));
  if (!list) return failure_response(route, list.error());
  call.list = std::move(list).value();
  if (!token.allows(call.list)) {
    return refuse(403, "forbidden",
                  "token " + quoted_for_message(token.name) + " may not reach list " +
                      quoted_for_message(call.list));
  }
  const bool is_change = request.method() != http::verb::get;
  if (is_change && token.is_read_only) {
    return refuse(403, "forbidden", "token " + quoted_for_message(token.name) + " is read-only");
  }
  const bool has_json_body =
      !is_book_route(route) && route != ApiRoute::undo &&
      (request.method() == http::verb::post || request.method() == http::verb::patch);
  if (has_json_body && !is_json_request(request)) {
    return refuse(415, "unsupported_media_type",
                  "the body must be JSON, sent with 'Content-Type: application/json'");
  }

  ListOperation operation;
  switch (route) {
    case ApiRoute::list:
      operation = DropList{};
      break;
    case ApiRoute::entries:
    case ApiRoute::book_entries: {
      std::optional<Date> date;
      if (const auto text = query_value(target, "date")) {
        auto parsed = date_from(*text);
        if (!parsed) return failure_response(route, parsed.error());
        date = parsed.value();
      } else if (route == ApiRoute::book_entries) {
        return refuse(400, "invalid_argument", "missing query parameter 'date'");
      }
      if (request.method() == http::verb::get) {
        auto filter = entry_filter_from(target);
        if (!filter) return failure_response(route, filter.error());
        operation = GetEntries{
            .date = date, .after = 0, .limit = kPageSize, .filter = std::move(filter).value()};
        break;
      }
      auto body = json_object_body(request);
      if (!body) return failure_response(route, body.error());
      auto add = add_entry_from(body.value());
      if (!add) return failure_response(route, add.error());
      operation = std::move(add).value();
      break;
    }
    case ApiRoute::book_add_entry: {
      const auto date_text = query_value(target, "date");
      const auto title = query_value(target, "title");
      if (!date_text) return refuse(400, "invalid_argument", "missing query parameter 'date'");
      if (!title) return refuse(400, "invalid_argument", "missing query parameter 'title'");
      auto date = date_from(*date_text);
      if (!date) return failure_response(route, date.error());
      operation = AddEntry{date.value(), std::string(*title)};
      break;
    }
    case ApiRoute::entry: {
      auto id = entry_id_from(target.entry_id);
      if (!id) return failure_response(route, id.error());
      call.entry_id = id.value();
      if (request.method() == http::verb::get) {
        // The first entry above id - 1 is this one, when it exists.
        operation = GetEntries{.date = std::nullopt, .after = id.value() - 1, .limit = 1};
      } else if (request.method() == http::verb::delete_) {
        operation = DeleteEntry{id.value()};
      } else {
        auto body = json_object_body(request);
        if (!body) return failure_response(route, body.error());
        auto change = entry_change_from(body.value());
        if (!change) return failure_response(route, change.error());
        operation = UpdateEntry{id.value(), std::move(change).value()};
      }
      break;
    }
    case ApiRoute::undo:
      operation = UndoChange{};
      break;
    default:
      return refuse(500, "internal", "route without an operation");
  }
  call.request.command = ListCommand{call.list, std::move(operation), std::nullopt};
  return call;
}

ApiAnswer HttpApi::answer(ApiCall call, const Reply& reply) const {
  const ApiRoute route = call.route;
  if (reply.status != StatusCode::ok) {
    return {failure_response(route, Error{reply.status, reply.message}), std::nullopt};
  }
  ApiAnswer answer;
  switch (route) {
    case ApiRoute::status:
      answer.response = response_with(
          http::status::ok, kJson, json::serialize(ping_json(std::get<PingInfo>(reply.payload))));
      return answer;
    case ApiRoute::metrics:
      // The content type Prometheus's text format is served with.
      answer.response = response_with(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                      metrics_.exposition(std::get<PingInfo>(reply.payload)));
      return answer;
    case ApiRoute::list_names: {
      const auto& names = std::get<std::vector<std::string>>(reply.payload);
      const bool is_last = names.size() < kPageSize;
      std::vector<std::string_view> visible;
      for (const std::string& name : names) {
        if (call.grant.allows(name)) visible.push_back(name);
      }
      const std::size_t expected_bytes =
          text_bytes(visible, 3, [](std::string_view name) { return name; });
      answer.response = response_with(http::status::ok, kJson,
                                      page_part(call, visible, expected_bytes, is_last, "[", ",",
                                                "]", [](std::string& part, std::string_view name) {
                                                  append_json(part, json::string(name));
                                                }));
      if (!is_last) {
        ApiCall next = call;
        next.is_first_page = false;
        next.request.command = ListNames{.after = names.back(), .limit = kPageSize};
        answer.next = std::move(next);
      }
      return answer;
    }
    case ApiRoute::list:
      if (reply.message == kNothingToDropMessage) {
        return {error_response(
                    route, 404, "not_found",
                    "nothing to drop: list " + quoted_for_message(call.list) + " holds no entry"),
                std::nullopt};
      }
      return {no_content(), std::nullopt};
    case ApiRoute::book_add_entry:
      answer.response = response_with(http::status::ok, kText, "OK");
      return answer;
    case ApiRoute::entries:
    case ApiRoute::book_entries: {
      if (const auto* id = std::get_if<EntryId>(&reply.payload)) {
        // Its tags as the list keeps them: add_entry_from normalized them.
        const auto& add = std::get<AddEntry>(operation_of(call));
        answer.response = response_with(
            http::status::created, kJson,
            json::serialize(entry_json(Entry{*id, add.date, add.title, false, add.tags})));
        answer.response.set(http::field::location, entry_location(call.list, *id));
        return answer;
      }
      auto entries = entries_of(reply);
      if (!entries) return {failure_response(route, entries.error()), std::nullopt};
      const bool is_last = entries.value().size() < kPageSize;
      const auto title_of = [](const EntryView& entry) { return entry.title; };
      if (route == ApiRoute::entries) {
        // A page's JSON values are made and freed together. An entry's JSON
        // is its title and about 60 bytes more.
        json::monotonic_resource page_memory;
        answer.response = response_with(
            http::status::ok, kJson,
            page_part(call, entries.value(), text_bytes(entries.value(), 64, title_of), is_last,
                      "[", ",", "]", [&page_memory](std::string& part, const EntryView& entry) {
                        append_json(part, entry_json(entry, &page_memory));
                      }));
      } else {
        // "YYYY-MM-DD title" and a newline.
        answer.response = response_with(
            http::status::ok, kText,
            page_part(call, entries.value(), text_bytes(entries.value(), 12, title_of), is_last, "",
                      "\n", "",
                      [dates = DateText()](std::string& part, const EntryView& entry) mutable {
                        part += dates.of(entry.date);
                        part += ' ';
                        part += entry.title;
                      }));
      }
      if (!is_last) {
        ApiCall next = call;
        next.is_first_page = false;
        auto& command = std::get<ListCommand>(next.request.command);
        std::get<GetEntries>(command.operation).after = entries.value().back().id;
        answer.next = std::move(next);
      }
      return answer;
    }
    case ApiRoute::entry: {
      const ListOperation& operation = operation_of(call);
      if (std::holds_alternative<DeleteEntry>(operation)) return {no_content(), std::nullopt};
      if (const auto* entry = std::get_if<Entry>(&reply.payload)) {
        answer.response =
            response_with(http::status::ok, kJson, json::serialize(entry_json(*entry)));
        return answer;
      }
      auto entries = entries_of(reply);
      if (!entries) return {failure_response(route, entries.error()), std::nullopt};
      if (entries.value().empty() || entries.value().front().id != *call.entry_id) {
        return {error_response(route, 404, "not_found",
                               "no entry " + std::to_string(*call.entry_id) + " in list " +
                                   quoted_for_message(call.list)),
                std::nullopt};
      }
      answer.response = response_with(http::status::ok, kJson,
                                      json::serialize(entry_json(entries.value().front())));
      return answer;
    }
    case ApiRoute::undo: {
      const auto& undone = std::get<Undone>(reply.payload);
      json::object object{{"undid", change_name(undone.change)}, {"entries", undone.entries}};
      if (undone.change != ChangeKind::drop) object["entry"] = entry_json(undone.entry);
      answer.response = response_with(http::status::ok, kJson, json::serialize(object));
      return answer;
    }
    // Served by route() itself, without a call.
    case ApiRoute::web_page:
    case ApiRoute::web_script:
    case ApiRoute::web_style:
    case ApiRoute::unknown:
      break;
  }
  return {error_response(route, 500, "internal", "a reply to no route"), std::nullopt};
}

}  // namespace todo
