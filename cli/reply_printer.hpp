// How todo shows a reply: as text for people, or as JSON for scripts
// (--json). In `todo batch` every reply is one line; a text reply that would
// take several lines (entries, lists) is joined with "; ".
//
// Text: add prints the id, and move the entry's new id; entries one line per entry, "ID DATE [x]
// TITLE"
// ("[ ]" when not done), ids padded after to the widest id in the reply (not
// in batch, where a reply is one line); show, update, done, undone the entry; delete
// drop and rename "ok"; undo "undid CHANGE: " and the entry it touched, as it is
// again (the one an add made, as it was), or "undid drop: N entries back";
// lists one name per line; ping one summary line; token add the secret
// alone; token list one line per token.
// JSON, written by Boost.JSON, one line, as the HTTP API writes the same values
// (common/json_values.hpp): add and move {"id":N}; entries an array of
// {"id","date","title","done","list"}; show, update, done, undone that object;
// delete, drop, rename {"ok":true}; undo {"undid":CHANGE,"entries":N,"entry":{...}}
// ("entry" not for a drop); lists an array of names; ping an object; token add
// {"secret":S}; token list an array of {"name","lists","read_only","created",
// "last_used"}. An error is {"error":{"code":CODE,"message":MESSAGE}}, CODE
// one of code_name()'s (common/error.hpp), or "usage", "unreachable",
// "outcome_unknown", "cancelled".
//
// Agenda: text, "Overdue" then one heading per date ("2026-12-04 Friday
// (today)"), each entry under it as "LIST ID TITLE" (overdue ones as
// "LIST ID DATE TITLE"), columns aligned; JSON, one line per entry, as
// entries' objects with "list".
//
// Colour (TextStyle::is_colored): done entries dimmed (SGR 2), pending ones
// dated before today in bold red (SGR 1;31); without it, no escape codes.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_parser.hpp"
#include "common/protocol.hpp"

namespace todo {

// How text marks entries up. today tells which are overdue.
struct TextStyle {
  bool is_colored = false;
  Date today;
};

// An entry with the name of its list, as agenda shows it.
struct ListedEntry {
  std::string list;
  Entry entry;
};

class ReplyPrinter {
 public:
  ReplyPrinter(bool is_json, bool is_one_line, TextStyle style = {})
      : is_json_(is_json), is_one_line_(is_one_line), style_(style) {}

  bool is_json() const { return is_json_; }

  // REQUIRES: reply.status == ok. list: the list the reply is about, if any,
  // named in each entry's JSON. No trailing newline.
  std::string format(CliCommand::Kind kind, const Reply& reply, std::string_view list = {}) const;
  // An error as batch shows it: "error: MESSAGE", or the JSON error.
  std::string format_error(std::string_view code, std::string_view message) const;
  // The agenda of the style's today: entries dated before it are overdue.
  // Entries in any order; empty text when there are none. No trailing newline.
  std::string format_agenda(std::vector<ListedEntry> entries) const;

 private:
  std::string format_text(CliCommand::Kind kind, const Reply& reply) const;
  // One entry's line, its id padded after to id_width characters.
  std::string entry_line(const Entry& entry, std::size_t id_width) const;
  // text marked up as entry's line is: dimmed, highlighted or as it is.
  std::string styled(const Entry& entry, std::string text) const;
  static boost::json::value json_value(CliCommand::Kind kind, const Reply& reply,
                                       std::string_view list);

  bool is_json_;
  bool is_one_line_;
  TextStyle style_;
};

}  // namespace todo
