// A paged read, page after page: a page of list names (ListNames) or a list's
// page of entries (GetEntries with a limit), each next one asked for after
// the last item of a full page, until one comes back short. `todo lists`,
// `todo entries --after`, export and agenda all read this way.
//
// Thread safety: a function of the calling thread; it uses client alone.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/client.hpp"
#include "cli/command_outcome.hpp"
#include "cli/reply_printer.hpp"
#include "common/protocol.hpp"

namespace todo {
namespace detail {

inline std::uint32_t page_limit(const Command& request) {
  if (const auto* names = std::get_if<ListNames>(&request)) return names->limit;
  return std::get<GetEntries>(std::get<ListCommand>(request).operation).limit;
}

// Moves request on to the page after last; false when that would not move
// on, which a todod that keeps its order never makes happen.
inline bool advance_past(Command& request, const std::string& last) {
  auto& page = std::get<ListNames>(request);
  if (last <= page.after) return false;
  page.after = last;
  return true;
}

inline bool advance_past(Command& request, const Entry& last) {
  auto& page = std::get<GetEntries>(std::get<ListCommand>(request).operation);
  if (last.id <= page.after) return false;
  page.after = last.id;
  return true;
}

}  // namespace detail

// Sends request, and the requests for the pages after it, on client, handing
// each page to visit(std::vector<Item>&) as it comes. Item is std::string for
// names, Entry for entries. 0, or the exit code once a failure is reported.
// REQUIRES: request is a ListNames, or a ListCommand of a GetEntries with a
// limit.
template <class Item, class Visit>
int read_every_page(Client& client, const ReplyPrinter& printer, Command request, Visit&& visit) {
  const std::uint32_t limit = detail::page_limit(request);
  for (;;) {
    std::optional<Reply> answered;
    auto exchanged =
        client.exchange({request}, [&](std::size_t, Reply reply) { answered = std::move(reply); });
    if (!exchanged) return report_failure(printer, exchanged.error());
    if (answered->status != StatusCode::ok) {
      report(printer, code_name(answered->status), refusal(*answered));
      return kExitRefused;
    }
    auto* page = std::get_if<std::vector<Item>>(&answered->payload);
    if (page == nullptr) {
      report(printer, code_name(StatusCode::internal), "todod answered a page with something else");
      return kExitRefused;
    }
    const bool is_last = page->size() < limit;
    if (!is_last && !detail::advance_past(request, page->back())) {
      report(printer, code_name(StatusCode::internal),
             "todod sent a page that does not move on from the one before");
      return kExitRefused;
    }
    visit(*page);
    if (is_last) return 0;
  }
}

}  // namespace todo
