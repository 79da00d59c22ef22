#include "cli/every_list_commands.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "cli/entry_transfer.hpp"
#include "common/date_phrase.hpp"

namespace todo {
namespace {

// A full page whose last item is not past where it was asked to start: asking
// after it again would never end, which a todod that keeps its order never
// makes happen.
int page_stands_still(const ReplyPrinter& printer) {
  report(printer, code_name(StatusCode::internal),
         "todod sent a page that does not move on from the one before");
  return kExitRefused;
}

// Every list's name, page after page, as todo lists reads them, into lists;
// 0, or the exit code, the failure reported.
int read_every_list_name(Client& client, const ReplyPrinter& printer,
                         std::vector<std::string>& lists) {
  for (ListNames page{.after = {}, .limit = ListNames::kMaxLimit};;) {
    auto reply = ask(client, page);
    if (!reply) return report_failure(printer, reply.error());
    if (reply.value().status != StatusCode::ok) {
      report(printer, code_name(reply.value().status), refusal(reply.value()));
      return kExitRefused;
    }
    auto& names = std::get<std::vector<std::string>>(reply.value().payload);
    const bool is_last = names.size() < page.limit;
    if (!is_last && names.back() <= page.after) return page_stands_still(printer);
    if (!names.empty()) page.after = names.back();
    lists.insert(lists.end(), std::make_move_iterator(names.begin()),
                 std::make_move_iterator(names.end()));
    if (is_last) return 0;
  }
}

// The entries of list that filter matches (every one without a filter), page
// after page, each page handed to visit(entries) as it comes; 0, or the exit
// code, the failure reported.
template <class Visit>
int read_every_entry(Client& client, const ReplyPrinter& printer, const std::string& list,
                     const std::optional<EntryFilter>& filter, Visit visit) {
  for (EntryId after = 0;;) {
    auto reply = ask(client, ListCommand{list, GetEntries{.date = std::nullopt,
                                                          .after = after,
                                                          .limit = GetEntries::kMaxLimit,
                                                          .filter = filter}});
    if (!reply) return report_failure(printer, reply.error());
    if (reply.value().status != StatusCode::ok) {
      report(printer, code_name(reply.value().status), refusal(reply.value()));
      return kExitRefused;
    }
    auto& entries = std::get<std::vector<Entry>>(reply.value().payload);
    const bool is_last = entries.size() < GetEntries::kMaxLimit;
    if (!is_last && entries.back().id <= after) return page_stands_still(printer);
    if (!entries.empty()) after = entries.back().id;
    visit(entries);
    if (is_last) return 0;
  }
}

}  // namespace

int run_export(const ClientFactory& connect, const CliCommand& command,
               const ReplyPrinter& printer) {
  auto client = connect();
  std::vector<std::string> lists = command.export_lists;
  if (lists.empty()) {
    if (const int failed = read_every_list_name(*client, printer, lists); failed != 0) {
      return failed;
    }
  }
  for (const std::string& list : lists) {
    const int failed =
        read_every_entry(*client, printer, list, std::nullopt, [&](std::vector<Entry>& entries) {
          for (const Entry& entry : entries) std::cout << export_line(list, entry) << '\n';
        });
    if (failed != 0) return failed;
  }
  std::cout.flush();
  return 0;
}

int run_import(const ClientFactory& connect, const CliCommand& command,
               const ReplyPrinter& printer) {
  const std::string input(std::istreambuf_iterator<char>(std::cin), {});
  auto plan = parse_import(input, command.import_list, local_today());
  if (!plan) {
    report(printer, code_name(plan.error().code), "nothing imported: " + plan.error().message);
    return kExitRefused;
  }
  const std::vector<ImportedEntry>& entries = plan.value().entries;
  IdempotencyKeySource keys;
  std::vector<Command> adds;
  adds.reserve(entries.size());
  for (const ImportedEntry& entry : entries) {
    adds.push_back(ListCommand{entry.list, AddEntry{entry.date, entry.title}});
    give_key(adds.back(), keys);
  }
  std::vector<Command> dones;
  std::size_t refused = 0;
  std::size_t not_marked_done = 0;
  std::optional<Reply> first_refusal;
  const auto on_add = [&](std::size_t index, Reply reply) {
    if (reply.status != StatusCode::ok) {
      if (!first_refusal) first_refusal = std::move(reply);
      ++refused;
    } else if (entries[index].is_done) {
      UpdateEntry done{.id = std::get<EntryId>(reply.payload), .change = {}};
      done.change.done = true;
      dones.push_back(ListCommand{entries[index].list, done});
      give_key(dones.back(), keys);
    }
  };
  auto client = connect();
  auto added = client->exchange(adds, on_add);
  if (added) {
    added = client->exchange(dones, [&](std::size_t, Reply reply) {
      if (reply.status == StatusCode::ok) return;
      ++not_marked_done;
      if (!first_refusal) first_refusal = std::move(reply);
    });
  }
  if (!added) {
    report(printer, kOutcomeUnknownCode,
           outcome_unknown(added.error()) +
               " (some entries may be imported: todo export shows which)");
    return kExitOutcomeUnknown;
  }
  std::vector<std::string> lists;
  for (const ImportedEntry& entry : entries) lists.push_back(entry.list);
  std::sort(lists.begin(), lists.end());
  lists.erase(std::unique(lists.begin(), lists.end()), lists.end());
  const std::size_t imported = entries.size() - refused;
  if (printer.is_json()) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"imported", imported},
                                         {"lists", lists.size()},
                                         {"refused", refused},
                                         {"deleted_skipped", plan.value().deleted_skipped}})
              << "\n";
  } else {
    std::cout << "imported " << imported << " entries into " << lists.size() << " lists"
              << (plan.value().deleted_skipped == 0
                      ? ""
                      : ", skipped " + std::to_string(plan.value().deleted_skipped) +
                            " deleted tasks")
              << "\n";
  }
  if (first_refusal) {
    report(printer, code_name(first_refusal->status),
           "not all imported: " + std::to_string(refused) + " entries refused, " +
               std::to_string(not_marked_done) +
               " not marked done; the first refusal: " + refusal(*first_refusal));
    return kExitRefused;
  }
  return 0;
}

int run_agenda(const ClientFactory& connect, const CliCommand& command, const ReplyPrinter& printer,
               Date today) {
  auto client = connect();
  std::vector<std::string> lists;
  if (const int failed = read_every_list_name(*client, printer, lists); failed != 0) {
    return failed;
  }
  EntryFilter due;
  due.done = DoneState::pending;
  due.to = today.plus_days(static_cast<std::int32_t>(command.agenda_days));
  std::vector<ListedEntry> agenda;
  for (const std::string& list : lists) {
    const int failed =
        read_every_entry(*client, printer, list, due, [&](std::vector<Entry>& entries) {
          for (Entry& entry : entries) agenda.push_back({list, std::move(entry)});
        });
    if (failed != 0) return failed;
  }
  const std::string text = printer.format_agenda(std::move(agenda), today);
  if (!text.empty()) std::cout << text << "\n";
  return 0;
}

}  // namespace todo
