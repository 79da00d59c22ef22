#include "cli/every_list_commands.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "cli/entry_transfer.hpp"
#include "cli/paged_read.hpp"
#include "common/date_phrase.hpp"

namespace todo {
namespace {

// Every list's name, page after page, as todo lists reads them, into lists;
// 0, or the exit code, the failure reported.
int read_every_list_name(Client& client, const ReplyPrinter& printer,
                         std::vector<std::string>& lists) {
  return read_every_page<std::string>(
      client, printer, ListNames{.after = {}, .limit = ListNames::kMaxLimit},
      [&](std::vector<std::string>& names) {
        lists.insert(lists.end(), std::make_move_iterator(names.begin()),
                     std::make_move_iterator(names.end()));
      });
}

// The entries of list that filter matches (every one without a filter), page
// after page, each page handed to visit(entries) as it comes; 0, or the exit
// code, the failure reported.
template <class Visit>
int read_every_entry(Client& client, const ReplyPrinter& printer, const std::string& list,
                     std::shared_ptr<const EntryFilter> filter, Visit&& visit) {
  return read_every_page<Entry>(client, printer,
                                ListCommand{list, GetEntries{.date = std::nullopt,
                                                             .after = 0,
                                                             .limit = GetEntries::kMaxLimit,
                                                             .filter = std::move(filter)}},
                                std::forward<Visit>(visit));
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
        read_every_entry(*client, printer, list, nullptr, [&](std::vector<Entry>& entries) {
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
    adds.push_back(ListCommand{entry.list, AddEntry{entry.date, entry.title, entry.tags}});
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
  EntryFilter pending_and_due;
  pending_and_due.done = DoneState::pending;
  pending_and_due.to = today.plus_days(static_cast<std::int32_t>(command.agenda_days));
  pending_and_due.tags = command.agenda_tags;
  // One filter for every list's requests.
  const auto due = std::make_shared<const EntryFilter>(std::move(pending_and_due));
  std::vector<ListedEntry> agenda;
  for (const std::string& list : lists) {
    const int failed =
        read_every_entry(*client, printer, list, due, [&](std::vector<Entry>& entries) {
          for (Entry& entry : entries) agenda.push_back({list, std::move(entry)});
        });
    if (failed != 0) return failed;
  }
  const std::string text = printer.format_agenda(std::move(agenda));
  if (!text.empty()) std::cout << text << "\n";
  return 0;
}

}  // namespace todo
