#include "daemon/http/web_page.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

namespace todo {
namespace {

namespace http = boost::beast::http;

// Only todod's own files and API: no inline script or style, so text that
// reaches the page from a list cannot run as script even if it were ever put
// into markup; no <base>, no form posting elsewhere, no framing (clickjacking).
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

struct WebFile {
  std::string_view content_type;
  std::string_view bytes;
};

WebFile web_file(ApiRoute route) {
  switch (route) {
    case ApiRoute::web_script:
      return {"text/javascript; charset=utf-8", detail::kWebAppJs};
    case ApiRoute::web_style:
      return {"text/css; charset=utf-8", detail::kWebStyleCss};
    default:
      return {"text/html; charset=utf-8", detail::kWebIndexHtml};
  }
}

}  // namespace

bool is_web_page_route(ApiRoute route) {
  return route == ApiRoute::web_page || route == ApiRoute::web_script ||
         route == ApiRoute::web_style;
}

HttpResponse web_file_response(ApiRoute route) {
  const WebFile file = web_file(route);
  HttpResponse response{http::status::ok, 11};
  response.set(http::field::content_type, file.content_type);
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  // The page changes with todod's version: a browser asks again each time,
  // and a new todod's page never runs an old script.
  response.set(http::field::cache_control, "no-cache");
  response.body() = std::string(file.bytes);
  return response;
}

}  // namespace todo
