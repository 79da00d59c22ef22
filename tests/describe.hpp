// Readable descriptions of protocol values for test failures, written
// independently of the encoder and the parser, so that comparing two
// descriptions compares every field and a failure shows which one differs.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "common/protocol.hpp"

namespace todo::testing {

// No date as "-", which no date's YYYY-MM-DD can be.
inline std::string describe(const std::optional<Date>& date) {
  return date ? date->to_string() : std::string("-");
}

// Tags as " +a +b" (marked by prefix, "+" or "-"); nothing for none, so
// that descriptions of values without tags read as they did before tags.
inline std::string describe(const Tags& tags, const char* prefix = "+") {
  std::string text;
  for (const std::string& tag : tags) text += std::string(" ") + prefix + "'" + tag + "'";
  return text;
}

inline std::string describe(const Entry& entry) {
  return "#" + std::to_string(entry.id) + " " + entry.date.to_string() + " '" + entry.title + "' " +
         (entry.done ? "done" : "open") + describe(entry.tags);
}

inline std::string describe(const ListOperation& operation) {
  return std::visit(
      [](const auto& op) -> std::string {
        using Op = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<Op, AddEntry>) {
          return "add " + op.date.to_string() + " '" + op.title + "'" + describe(op.tags);
        } else if constexpr (std::is_same_v<Op, GetEntries>) {
          std::string text = "get " + describe(op.date) +
                             (op.limit == 0 ? ""
                                            : " after " + std::to_string(op.after) + " limit " +
                                                  std::to_string(op.limit));
          if (op.filter) {
            const char* done[] = {"any", "pending", "done"};
            text += " filter done=" + std::string(done[static_cast<int>(op.filter->done)]) +
                    " from=" + describe(op.filter->from) + " to=" + describe(op.filter->to) +
                    " search='" + op.filter->search + "'" + describe(op.filter->tags);
          }
          return text;
        } else if constexpr (std::is_same_v<Op, UpdateEntry>) {
          return "update " + std::to_string(op.id) + " date=" + describe(op.change.date) +
                 " title=" + (op.change.title ? "'" + *op.change.title + "'" : "-") +
                 " done=" + (op.change.done ? (*op.change.done ? "true" : "false") : "-") +
                 (!op.change.tags ? ""
                                  : (op.change.tags->replacement
                                         ? " tags=[" + describe(*op.change.tags->replacement) + " ]"
                                         : "") +
                                        describe(op.change.tags->added) +
                                        describe(op.change.tags->removed, "-"));
        } else if constexpr (std::is_same_v<Op, DeleteEntry>) {
          return "delete " + std::to_string(op.id);
        } else if constexpr (std::is_same_v<Op, DropList>) {
          return "drop";
        } else if constexpr (std::is_same_v<Op, UndoChange>) {
          return "undo";
        } else if constexpr (std::is_same_v<Op, RenameList>) {
          return "rename to '" + op.new_name + "'";
        } else {
          static_assert(std::is_same_v<Op, MoveEntry>);
          return "move " + std::to_string(op.id) + " to '" + op.destination + "'";
        }
      },
      operation);
}

inline std::string describe(const TokenGrant& grant) {
  std::string text = "'" + grant.name + "'" + (grant.is_read_only ? " read-only" : "");
  for (const std::string& pattern : grant.list_patterns) text += " '" + pattern + "'";
  return text;
}

inline std::string describe(const Command& command) {
  return std::visit(
      [&](const auto& value) -> std::string {
        using C = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<C, ListCommand>) {
          return "list '" + value.list + "' " + describe(value.operation) +
                 (value.key ? " key " + todo::describe(*value.key) : std::string());
        } else if constexpr (std::is_same_v<C, ListNames>) {
          return "list names";
        } else if constexpr (std::is_same_v<C, AddToken>) {
          return "add token " + describe(value.grant);
        } else if constexpr (std::is_same_v<C, ListTokens>) {
          return "list tokens";
        } else if constexpr (std::is_same_v<C, RevokeToken>) {
          return "revoke token '" + value.name + "'";
        } else if constexpr (std::is_same_v<C, MakeBackup>) {
          return "backup into '" + value.directory + "' keep " + std::to_string(value.keep);
        } else if constexpr (std::is_same_v<C, UndoLatest>) {
          return "undo latest";
        } else {
          static_assert(std::is_same_v<C, Ping>);
          return "ping";
        }
      },
      command);
}

inline std::string describe(const Request& request) {
  return "id=" + std::to_string(request.id) + " " + describe(request.command);
}

inline std::string describe(const ReplyPayload& payload) {
  return std::visit(
      [](const auto& value) -> std::string {
        using P = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<P, std::monostate>) {
          return "none";
        } else if constexpr (std::is_same_v<P, EntryId>) {
          return "id " + std::to_string(value);
        } else if constexpr (std::is_same_v<P, Entry>) {
          return "entry " + describe(value);
        } else if constexpr (std::is_same_v<P, std::vector<Entry>>) {
          std::string text = std::to_string(value.size()) + " entries:";
          for (const Entry& entry : value) text += " [" + describe(entry) + "]";
          return text;
        } else if constexpr (std::is_same_v<P, EncodedEntries>) {
          return std::to_string(value.bytes ? value.bytes->size() : 0) +
                 " bytes of encoded entries";
        } else if constexpr (std::is_same_v<P, std::vector<std::string>>) {
          std::string text = std::to_string(value.size()) + " names:";
          for (const std::string& name : value) text += " '" + name + "'";
          return text;
        } else if constexpr (std::is_same_v<P, TokenSecret>) {
          return "secret '" + value.secret + "'";
        } else if constexpr (std::is_same_v<P, std::vector<TokenInfo>>) {
          std::string text = std::to_string(value.size()) + " tokens:";
          for (const TokenInfo& token : value) {
            text += " [" + describe(token.grant) + " " + std::to_string(token.created_unix) + " " +
                    std::to_string(token.last_used_unix) + "]";
          }
          return text;
        } else if constexpr (std::is_same_v<P, BackupMade>) {
          return "backup " + std::to_string(value.id) + " " + std::to_string(value.bytes) + " " +
                 std::to_string(value.files) + " " + std::to_string(value.backups_kept);
        } else if constexpr (std::is_same_v<P, Undone>) {
          return "undone " + std::to_string(static_cast<int>(value.change)) + " " +
                 std::to_string(value.entries) + " " + describe(value.entry);
        } else if constexpr (std::is_same_v<P, UndoneIn>) {
          return "undone in '" + value.list + "' " +
                 std::to_string(static_cast<int>(value.undone.change)) + " " +
                 std::to_string(value.undone.entries) + " " + describe(value.undone.entry);
        } else {
          static_assert(std::is_same_v<P, PingInfo>);
          return "ping '" + value.version + "' " + std::to_string(value.uptime_ms) + " " +
                 std::to_string(value.lists_in_memory) + " " +
                 std::to_string(value.requests_served);
        }
      },
      payload);
}

inline std::string describe(const Reply& reply) {
  return "request_id=" + std::to_string(reply.request_id) +
         " status=" + std::to_string(static_cast<int>(reply.status)) + " message='" +
         reply.message + "' " + describe(reply.payload);
}

}  // namespace todo::testing
