#include "bench/workload.hpp"

namespace todo::bench {
namespace {

const Date kFirstDay = Date::parse("2026-01-01").value();

}  // namespace

Workload::Workload(Kind kind, std::uint64_t seed) : kind_(kind), random_(seed) {}

bool Workload::parse_kind(std::string_view text, Kind& kind) {
  if (text == "add") {
    kind = Kind::add;
  } else if (text == "read") {
    kind = Kind::read;
  } else if (text == "mixed") {
    kind = Kind::mixed;
  } else {
    return false;
  }
  return true;
}

std::string Workload::read_list_name(std::size_t index) { return "read-" + std::to_string(index); }

AddEntry Workload::random_add() {
  static constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz";
  const auto day = static_cast<std::int32_t>(random_() % 365);
  std::string title(20 + random_() % 21, ' ');
  for (char& c : title) c = kLetters[random_() % kLetters.size()];
  return {kFirstDay.plus_days(day), std::move(title)};
}

std::string Workload::next_request(std::uint64_t id, bool& is_read) {
  is_read = kind_ == Kind::read || (kind_ == Kind::mixed && random_() % 2 == 0);
  if (is_read) {
    return encode_request({id, ListCommand{read_list_name(random_() % kReadLists), GetEntries{}}});
  }
  return encode_request(
      {id, ListCommand{"add-" + std::to_string(random_() % kAddLists), random_add()}});
}

bool Workload::is_correct(const Reply& reply, bool is_read) {
  if (reply.status != StatusCode::ok) return false;
  if (!is_read) return std::holds_alternative<EntryId>(reply.payload);
  const auto* entries = std::get_if<std::vector<Entry>>(&reply.payload);
  return entries != nullptr && entries->size() == kEntriesPerReadList;
}

std::vector<Command> Workload::fill_commands() {
  std::vector<Command> commands;
  commands.reserve(kReadLists * (kEntriesPerReadList + 1));
  for (std::size_t list = 0; list < kReadLists; ++list) {
    // From empty, whatever an earlier run left there.
    commands.push_back(ListCommand{read_list_name(list), DropList{}});
    for (std::size_t i = 0; i < kEntriesPerReadList; ++i) {
      commands.push_back(ListCommand{read_list_name(list), random_add()});
    }
  }
  return commands;
}

std::string Workload::echo_reply(bool is_read) {
  if (!is_read) return encode_reply({0, StatusCode::ok, {}, EntryId{1}});
  std::vector<Entry> entries;
  for (std::size_t i = 1; i <= kEntriesPerReadList; ++i) {
    entries.push_back({i, kFirstDay, std::string(30, 't'), false});
  }
  return encode_reply({0, StatusCode::ok, {}, std::move(entries)});
}

}  // namespace todo::bench
