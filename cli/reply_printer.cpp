#include "cli/reply_printer.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <tuple>

#include "common/json_values.hpp"
#include "common/validation.hpp"

namespace todo {
namespace {

constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kOverdue = "\x1b[1;31m";
constexpr std::string_view kReset = "\x1b[0m";

constexpr std::string_view kWeekdayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

// text followed by spaces up to width characters (bytes: ids and list names
// padded here are counted in bytes, so a name outside ASCII is padded short).
std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::size_t widest_id(const std::vector<Entry>& entries) {
  std::size_t width = 0;
  for (const Entry& entry : entries) width = std::max(width, std::to_string(entry.id).size());
  return width;
}

// "2026-12-04 Friday (today)".
std::string date_heading(Date date, Date today) {
  const std::chrono::weekday weekday{
      std::chrono::sys_days(std::chrono::days(date.days_since_epoch()))};
  std::string heading = date.to_string() + " " + std::string(kWeekdayNames[weekday.c_encoding()]);
  if (date == today) heading += " (today)";
  if (date == today.plus_days(1)) heading += " (tomorrow)";
  return heading;
}

template <class T, class Format>
std::string joined(const std::vector<T>& items, std::string_view separator, Format format) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += separator;
    text += format(items[i]);
  }
  return text;
}

std::string utc_time(std::int64_t unix_seconds) {
  if (unix_seconds == 0) return "never";
  const std::time_t time = unix_seconds;
  std::tm utc{};
  ::gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

// NAME, what it may do, its lists, when it was last used.
std::string token_text(const TokenInfo& token) {
  const TokenGrant& grant = token.grant;
  std::string lists;
  for (const std::string& pattern : grant.list_patterns) {
    lists += (lists.empty() ? "" : " ") + quoted_for_message(pattern);
  }
  return grant.name + (grant.is_read_only ? " read-only" : " read-write") +
         (lists.empty() ? " every list" : " lists " + lists) + ", last used " +
         utc_time(token.last_used_unix);
}

boost::json::object token_json(const TokenInfo& token) {
  boost::json::array lists;
  for (const std::string& pattern : token.grant.list_patterns) lists.emplace_back(pattern);
  return {{"name", token.grant.name},
          {"lists", std::move(lists)},
          {"read_only", token.grant.is_read_only},
          {"created", token.created_unix},
          {"last_used", token.last_used_unix}};
}

// The title, then each tag as the +TAG it was added as.
std::string titled_with_tags(const Entry& entry) {
  std::string text = entry.title;
  for (const std::string& tag : entry.tags) text += " +" + tag;
  return text;
}

}  // namespace

std::string ReplyPrinter::format(CliCommand::Kind kind, const Reply& reply,
                                 std::string_view list) const {
  if (is_json_) return boost::json::serialize(json_value(kind, reply, list));
  return format_text(kind, reply);
}

std::string ReplyPrinter::format_error(std::string_view code, std::string_view message) const {
  if (is_json_) {
    return boost::json::serialize(
        boost::json::object{{"error", {{"code", code}, {"message", message}}}});
  }
  return "error: " + std::string(message);
}

std::string ReplyPrinter::styled(const Entry& entry, std::string text) const {
  if (!style_.is_colored) return text;
  if (entry.done) return std::string(kDim) + text + std::string(kReset);
  if (entry.date < style_.today) return std::string(kOverdue) + text + std::string(kReset);
  return text;
}

std::string ReplyPrinter::entry_line(const Entry& entry, std::size_t id_width) const {
  return styled(entry, padded(std::to_string(entry.id), id_width) + " " + entry.date.to_string() +
                           (entry.done ? " [x] " : " [ ] ") + titled_with_tags(entry));
}

std::string ReplyPrinter::format_agenda(std::vector<ListedEntry> entries) const {
  const Date today = style_.today;
  std::sort(entries.begin(), entries.end(), [](const ListedEntry& a, const ListedEntry& b) {
    return std::tie(a.entry.date, a.list, a.entry.id) < std::tie(b.entry.date, b.list, b.entry.id);
  });
  if (is_json_) {
    std::string lines;
    for (const ListedEntry& listed : entries) {
      boost::json::object object = entry_json(listed.entry);
      object["list"] = listed.list;
      lines += (lines.empty() ? "" : "\n") + boost::json::serialize(object);
    }
    return lines;
  }
  std::size_t list_width = 0;
  std::size_t id_width = 0;
  for (const ListedEntry& listed : entries) {
    list_width = std::max(list_width, listed.list.size());
    id_width = std::max(id_width, std::to_string(listed.entry.id).size());
  }
  std::string text;
  std::optional<Date> heading_date;
  bool has_overdue_heading = false;
  for (const ListedEntry& listed : entries) {
    const Entry& entry = listed.entry;
    const bool is_overdue = entry.date < today;
    if (is_overdue && !has_overdue_heading) {
      text += "Overdue\n";
      has_overdue_heading = true;
    } else if (!is_overdue && heading_date != entry.date) {
      text += (text.empty() ? "" : "\n") + date_heading(entry.date, today) + "\n";
      heading_date = entry.date;
    }
    // Under Overdue the date is not in the heading, so it goes in the line.
    text += styled(entry, "  " + padded(listed.list, list_width) + " " +
                              padded(std::to_string(entry.id), id_width) + " " +
                              (is_overdue ? entry.date.to_string() + " " : "") +
                              titled_with_tags(entry)) +
            "\n";
  }
  if (!text.empty()) text.pop_back();
  return text;
}

std::string ReplyPrinter::format_text(CliCommand::Kind kind, const Reply& reply) const {
  const std::string_view line_break = is_one_line_ ? "; " : "\n";
  switch (kind) {
    case CliCommand::Kind::add:
    case CliCommand::Kind::move:
      return std::to_string(std::get<EntryId>(reply.payload));
    case CliCommand::Kind::entries: {
      const auto& entries = std::get<std::vector<Entry>>(reply.payload);
      const std::size_t id_width = is_one_line_ ? 0 : widest_id(entries);
      return joined(entries, line_break,
                    [&](const Entry& entry) { return entry_line(entry, id_width); });
    }
    case CliCommand::Kind::show:
    case CliCommand::Kind::update:
    case CliCommand::Kind::done:
    case CliCommand::Kind::undone:
      return entry_line(std::get<Entry>(reply.payload), 0);
    case CliCommand::Kind::undo: {
      // Without a list, the reply says which list the change was in.
      const auto* in_list = std::get_if<UndoneIn>(&reply.payload);
      const Undone& undone = in_list ? in_list->undone : std::get<Undone>(reply.payload);
      const std::string where =
          in_list ? " in " + quoted_for_message(in_list->list) : std::string();
      if (undone.change == ChangeKind::drop) {
        return "undid drop" + where + ": " + std::to_string(undone.entries) +
               (undone.entries == 1 ? " entry" : " entries") + " back";
      }
      return "undid " + std::string(change_name(undone.change)) + where + ": " +
             entry_line(undone.entry, 0);
    }
    case CliCommand::Kind::lists:
      return joined(std::get<std::vector<std::string>>(reply.payload), line_break,
                    [](const std::string& name) { return name; });
    case CliCommand::Kind::ping: {
      const auto& ping = std::get<PingInfo>(reply.payload);
      char resident[32];
      std::snprintf(resident, sizeof resident, "%.1f", ping.resident_bytes / 1048576.0);
      return "todod " + ping.version + ", up " + std::to_string(ping.uptime_ms / 1000) + " s, " +
             std::to_string(ping.lists_in_memory) + " lists in memory, " +
             std::to_string(ping.requests_served) + " requests served, " +
             std::to_string(ping.errors) + " errors (" + std::to_string(ping.busy_refusals) +
             " busy), " + std::to_string(ping.database_batches) + " database batches of " +
             std::to_string(ping.database_writes) + " writes, " +
             std::to_string(ping.actor_restarts) + " actor restarts, " +
             std::to_string(ping.lists_expired) + " lists expired, p99 latency " +
             (ping.p99_latency_us == 0 ? std::string("not known before 100 requests")
                                       : std::to_string(ping.p99_latency_us) + " us") +
             ", " + resident + " MiB resident" +
             (ping.degraded.empty()
                  ? ""
                  : std::string(line_break) + "degraded: the database " + ping.degraded);
    }
    case CliCommand::Kind::token_add:
      return std::get<TokenSecret>(reply.payload).secret;
    case CliCommand::Kind::token_list:
      return joined(std::get<std::vector<TokenInfo>>(reply.payload), line_break, token_text);
    case CliCommand::Kind::backup: {
      const auto& backup = std::get<BackupMade>(reply.payload);
      char size[32];
      std::snprintf(size, sizeof size, "%.1f", backup.bytes / 1048576.0);
      return "backup " + std::to_string(backup.id) + " made: " + size + " MiB in " +
             std::to_string(backup.files) + " files; the directory keeps " +
             std::to_string(backup.backups_kept) +
             (backup.backups_kept == 1 ? " backup" : " backups");
    }
    case CliCommand::Kind::erase:
    case CliCommand::Kind::drop:
    case CliCommand::Kind::rename:
    case CliCommand::Kind::batch:
    case CliCommand::Kind::help:
    case CliCommand::Kind::keygen:
    case CliCommand::Kind::export_entries:
    case CliCommand::Kind::import_entries:
    case CliCommand::Kind::token_revoke:  // none has a reply of its own
    case CliCommand::Kind::agenda:        // format_agenda
      break;
  }
  return "ok";
}

boost::json::value ReplyPrinter::json_value(CliCommand::Kind kind, const Reply& reply,
                                            std::string_view list) {
  const auto listed_entry_json = [&](const Entry& entry) {
    boost::json::object object = entry_json(entry);
    if (!list.empty()) object["list"] = list;
    return object;
  };
  switch (kind) {
    case CliCommand::Kind::add:
    case CliCommand::Kind::move:
      return boost::json::object{{"id", std::get<EntryId>(reply.payload)}};
    case CliCommand::Kind::entries: {
      boost::json::array entries;
      for (const Entry& entry : std::get<std::vector<Entry>>(reply.payload)) {
        entries.push_back(listed_entry_json(entry));
      }
      return entries;
    }
    case CliCommand::Kind::show:
    case CliCommand::Kind::update:
    case CliCommand::Kind::done:
    case CliCommand::Kind::undone:
      return listed_entry_json(std::get<Entry>(reply.payload));
    case CliCommand::Kind::undo: {
      const auto* in_list = std::get_if<UndoneIn>(&reply.payload);
      const Undone& undone = in_list ? in_list->undone : std::get<Undone>(reply.payload);
      boost::json::object object{{"undid", change_name(undone.change)},
                                 {"entries", undone.entries}};
      // Without a list, the reply names it: at the top and in the entry.
      const std::string_view entry_list = in_list ? std::string_view(in_list->list) : list;
      if (in_list) object["list"] = in_list->list;
      if (undone.change != ChangeKind::drop) {
        boost::json::object entry = entry_json(undone.entry);
        if (!entry_list.empty()) entry["list"] = entry_list;
        object["entry"] = std::move(entry);
      }
      return object;
    }
    case CliCommand::Kind::lists: {
      boost::json::array names;
      for (const std::string& name : std::get<std::vector<std::string>>(reply.payload)) {
        names.emplace_back(name);
      }
      return names;
    }
    case CliCommand::Kind::ping:
      return ping_json(std::get<PingInfo>(reply.payload));
    case CliCommand::Kind::token_add:
      return boost::json::object{{"secret", std::get<TokenSecret>(reply.payload).secret}};
    case CliCommand::Kind::token_list: {
      boost::json::array tokens;
      for (const TokenInfo& token : std::get<std::vector<TokenInfo>>(reply.payload)) {
        tokens.push_back(token_json(token));
      }
      return tokens;
    }
    case CliCommand::Kind::backup: {
      const auto& backup = std::get<BackupMade>(reply.payload);
      return boost::json::object{{"id", backup.id},
                                 {"bytes", backup.bytes},
                                 {"files", backup.files},
                                 {"backups_kept", backup.backups_kept}};
    }
    case CliCommand::Kind::erase:
    case CliCommand::Kind::drop:
    case CliCommand::Kind::rename:
    case CliCommand::Kind::batch:
    case CliCommand::Kind::help:
    case CliCommand::Kind::keygen:
    case CliCommand::Kind::export_entries:
    case CliCommand::Kind::import_entries:
    case CliCommand::Kind::token_revoke:  // none has a reply of its own
    case CliCommand::Kind::agenda:        // format_agenda
      break;
  }
  return boost::json::object{{"ok", true}};
}

}  // namespace todo
