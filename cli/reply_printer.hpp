// How todo shows a reply: as text for people, or as JSON for scripts
// (--json). In `todo batch` every reply is one line; a text reply that would
// take several lines (entries, lists) is joined with "; ".
//
// Text: add prints the id; entries one line per entry, "ID DATE [x] TITLE"
// ("[ ]" when not done); show, update, done, undone the entry; delete
// and drop "ok"; lists one name per line; ping one summary line; token add
// the secret alone; token list one line per token.
// JSON, written by Boost.JSON, one line, as the HTTP API writes the same values
// (common/json_values.hpp): add {"id":N}; entries an array of
// {"id","date","title","done","list"}; show, update, done, undone that object;
// delete, drop {"ok":true}; lists an array of names; ping an object; token add
// {"secret":S}; token list an array of {"name","lists","read_only","created",
// "last_used"}. An error is {"error":{"code":CODE,"message":MESSAGE}}, CODE
// one of code_name()'s (common/error.hpp), or "usage", "unreachable",
// "outcome_unknown", "cancelled".
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "cli/command_parser.hpp"
#include "common/protocol.hpp"

namespace todo {

class ReplyPrinter {
 public:
  ReplyPrinter(bool is_json, bool is_one_line) : is_json_(is_json), is_one_line_(is_one_line) {}

  bool is_json() const { return is_json_; }

  // REQUIRES: reply.status == ok. list: the list the reply is about, if any,
  // named in each entry's JSON. No trailing newline.
  std::string format(CliCommand::Kind kind, const Reply& reply, std::string_view list = {}) const;
  // An error as batch shows it: "error: MESSAGE", or the JSON error.
  std::string format_error(std::string_view code, std::string_view message) const;

 private:
  std::string format_text(CliCommand::Kind kind, const Reply& reply) const;
  static boost::json::value json_value(CliCommand::Kind kind, const Reply& reply,
                                       std::string_view list);

  bool is_json_;
  bool is_one_line_;
};

}  // namespace todo
