// The web page todod serves at / (docs/http.md): one HTML page, its script at
// /app.js and its style at /style.css, built into the binary from
// daemon/http/web/ so that todod needs nothing installed beside it. The page
// holds no data: it reads and changes lists through the JSON API with the
// token the person gives it, so its files are served without a token.
//
// Thread safety: web_file_response() may be called from any thread at once;
// the files are constants.
#pragma once

#include <string_view>

#include "daemon/http/http_api.hpp"

namespace todo {

// Whether the route serves one of the page's files.
bool is_web_page_route(ApiRoute route);

// The file's response to a GET (and a HEAD, whose body the session leaves
// out), with the headers that keep the page to itself: a Content-Security-
// Policy that runs only todod's own script, no MIME sniffing, no Referer.
// REQUIRES: is_web_page_route(route).
HttpResponse web_file_response(ApiRoute route);

namespace detail {
// The files' bytes, written at build time by embed_web_files.cmake.
extern const std::string_view kWebIndexHtml;
extern const std::string_view kWebAppJs;
extern const std::string_view kWebStyleCss;
}  // namespace detail

}  // namespace todo
