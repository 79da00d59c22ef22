#include "bench/workload.hpp"

#include "common/cereal_io.hpp"
#include "common/validation.hpp"

namespace todo::bench {
namespace {

const Date kFirstDay = Date::parse("2026-01-01").value();

// docs/protocol.md: two payload tags.
constexpr int kIdPayloadTag = 1;
constexpr int kEntriesPayloadTag = 3;

// Reads little-endian fields from the front of a message. A read past the
// end gives a value no check here accepts (-1 for a byte, all bits set for a
// number) and leaves the cursor failed, so that is_at_end() is false after it.
class ByteCursor {
 public:
  explicit ByteCursor(std::string_view bytes) : bytes_(bytes) {}

  int byte() {
    if (!has(1)) return -1;
    return static_cast<unsigned char>(bytes_[position_++]);
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(little_endian(4)); }
  std::uint64_t u64() { return little_endian(8); }
  bool skip(std::uint64_t count) {
    if (!has(count)) return false;
    position_ += static_cast<std::size_t>(count);
    return true;
  }
  bool is_at_end() const { return !is_failed_ && position_ == bytes_.size(); }

 private:
  bool has(std::uint64_t count) {
    if (is_failed_ || count > bytes_.size() - position_) is_failed_ = true;
    return !is_failed_;
  }
  std::uint64_t little_endian(std::size_t width) {
    if (!has(width)) return ~std::uint64_t{0};
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value |= std::uint64_t{static_cast<unsigned char>(bytes_[position_ + i])} << (8 * i);
    }
    position_ += width;
    return value;
  }

  std::string_view bytes_;
  std::size_t position_ = 0;
  bool is_failed_ = false;
};

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

// It walks the bytes as docs/protocol.md lays them out instead of calling
// decode_reply(), which puts every title on the heap: on the cores todo-bench
// shares with todod, that is CPU the daemon being measured does not get
// (docs/performance.md has the figures).
bool Workload::is_right_reply(std::string_view bytes, bool is_read) {
  ByteCursor cursor(bytes);
  const bool is_ok_header = cursor.byte() == detail::kLittleEndianMarker &&
                            cursor.u32() == kProtocolVersion && cursor.skip(8) &&
                            cursor.byte() == static_cast<int>(StatusCode::ok) &&
                            cursor.u64() == 0;  // no message
  if (!is_ok_header) return false;
  if (!is_read) return cursor.byte() == kIdPayloadTag && cursor.skip(8) && cursor.is_at_end();
  if (cursor.byte() != kEntriesPayloadTag || cursor.u64() != kEntriesPerReadList) return false;
  for (std::size_t i = 0; i < kEntriesPerReadList; ++i) {
    if (!cursor.skip(8 + 4)) return false;  // id, date
    const std::uint64_t title_bytes = cursor.u64();
    if (title_bytes > kMaxTitleBytes || !cursor.skip(title_bytes)) return false;
    const int done = cursor.byte();
    if (done != 0 && done != 1) return false;
    if (cursor.u64() != 0) return false;  // the workload adds no tags
  }
  return cursor.is_at_end();
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
