// Tests for the stored encodings (common/codec.hpp) and the hardened cereal
// layer under them (common/cereal_io.hpp).
#include "common/codec.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "common/cereal_io.hpp"
#include "common/validation.hpp"
#include "day.hpp"

namespace todo {
namespace {

using testing::Bytes;
using testing::kMarker;

// An entry encoding with every field chosen by the test, valid or not.
// Format 1, an entry without tags, unless version says otherwise.
std::string raw_entry(std::uint64_t id, std::int32_t days, std::string_view title,
                      std::uint8_t done, std::uint32_t version = 1) {
  return Bytes().u8(kMarker).u32(version).u64(id).i32(days).text(title).u8(done).str();
}

// Format 2: an entry with tags.
std::string raw_tagged_entry(std::uint64_t id, std::string_view title,
                             const std::vector<std::string>& tags) {
  Bytes bytes;
  bytes.u8(kMarker).u32(2).u64(id).i32(1).text(title).u8(0).u64(tags.size());
  for (const std::string& tag : tags) bytes.text(tag);
  return bytes.str();
}

std::string raw_list_meta(std::uint64_t next_id, std::uint64_t entry_count,
                          std::uint32_t version = 1) {
  return Bytes().u8(kMarker).u32(version).u64(next_id).u64(entry_count).str();
}

using testing::day;

const std::int32_t kFirstDay = Date::parse("0001-01-01").value().days_since_epoch();
const std::int32_t kLastDay = Date::parse("9999-12-31").value().days_since_epoch();

// 1024 four-byte characters: exactly the longest title allowed.
std::string longest_title() {
  std::string title;
  for (int i = 0; i < 1024; ++i) title += "\xF0\x9F\x98\x80";  // U+1F600
  return title;
}

std::string error_of(const Result<Entry>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

std::string error_of(const Result<ListMeta>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

std::string error_of(const Result<UndoStep>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

// An undo step of format 3 with every field chosen by the test: its added ids
// and its replaced entries, each of those with its tags.
std::string raw_undo_step(std::uint64_t sequence, std::uint8_t change,
                          const std::vector<std::uint64_t>& added,
                          const std::vector<Entry>& replaced) {
  Bytes bytes;
  bytes.u8(kMarker).u32(3).u64(sequence).u8(change).u64(added.size());
  for (std::uint64_t id : added) bytes.u64(id);
  bytes.u64(replaced.size());
  for (const Entry& entry : replaced) {
    bytes.u64(entry.id).i32(entry.date.days_since_epoch()).text(entry.title).u8(entry.done);
    bytes.u64(entry.tags.size());
    for (const std::string& tag : entry.tags) bytes.text(tag);
  }
  return bytes.str();
}

// Whatever decodes must be exactly what the encoder writes for the value: the
// format has one encoding per value, so a decoder that let a corrupt byte
// through would show up here.
void require_canonical_if_decoded(const std::string& bytes) {
  const Result<Entry> entry = decode_entry(bytes);
  if (entry) {
    REQUIRE(encode_entry(entry.value()) == bytes);
  } else {
    REQUIRE(entry.error().code == StatusCode::invalid_argument);
    REQUIRE(entry.error().message.rfind("corrupt entry: ", 0) == 0);
  }
  const Result<ListMeta> meta = decode_list_meta(bytes);
  if (meta) {
    REQUIRE(encode_list_meta(meta.value()) == bytes);
  } else {
    REQUIRE(meta.error().code == StatusCode::invalid_argument);
    REQUIRE(meta.error().message.rfind("corrupt list metadata: ", 0) == 0);
  }
  const Result<UndoStep> step = decode_undo_step(bytes);
  if (step) {
    REQUIRE(encode_undo_step(step.value()) == bytes);
  } else {
    REQUIRE(step.error().code == StatusCode::invalid_argument);
    REQUIRE(step.error().message.rfind("corrupt undo step: ", 0) == 0);
  }
}

TEST_CASE("an entry is encoded in the documented layout", "[codec]") {
  const Entry entry{7, day("1970-01-02"), "milk", true};
  CHECK(encode_entry(entry) == raw_entry(7, 1, "milk", 1));
}

TEST_CASE("an entry with tags is encoded as format 2 and one without as format 1", "[codec]") {
  const Entry tagged{7, day("1970-01-02"), "milk", false, {"home", "shop"}};
  CHECK(encode_entry(tagged) == raw_tagged_entry(7, "milk", {"home", "shop"}));
  CHECK(decode_entry(raw_tagged_entry(7, "milk", {"home", "shop"})).value() == tagged);
  CHECK(error_of(decode_entry(raw_tagged_entry(7, "milk", {}))) ==
        "corrupt entry: a format 2 entry without tags (written as format 1)");
  CHECK(error_of(decode_entry(raw_tagged_entry(7, "milk", {"shop", "home"}))) ==
        "corrupt entry: tags out of order or repeated");
  CHECK(error_of(decode_entry(raw_tagged_entry(7, "milk", {"home", "home"}))) ==
        "corrupt entry: tags out of order or repeated");
  CHECK(error_of(decode_entry(raw_tagged_entry(7, "milk", {"two words"})))
            .starts_with("corrupt entry: tag 'two words' contains a space"));
  // Format 3 added undo steps, not entries: one entry, one encoding.
  CHECK(error_of(decode_entry(raw_entry(7, 1, "milk", 0, 3))) ==
        "corrupt entry: an entry of format 3 (entries are written as format 1 or 2)");
  // An entry of format 1, as todod 0.1.0 wrote it, has no tags.
  CHECK(decode_entry(raw_entry(7, 1, "milk", 0)).value().tags.empty());
}

TEST_CASE("an undo step is encoded in the documented layout, always as format 3", "[codec]") {
  const Entry before{4, day("1970-01-02"), "milk", false};
  const UndoStep update{5, ChangeKind::update, {}, {before}};
  CHECK(encode_undo_step(update) == raw_undo_step(5, 2, {}, {before}));
  CHECK(encode_undo_step({6, ChangeKind::add, {9}, {}}) == raw_undo_step(6, 1, {9}, {}));
  const UndoStep drop{
      7, ChangeKind::drop, {}, {before, {5, day("2026-12-02"), "€ x", true, {"a", "bc"}}}};
  for (const UndoStep& step : {update, drop, UndoStep{6, ChangeKind::add, {9}, {}},
                               UndoStep{8, ChangeKind::move, {}, {before}, "work", 12}}) {
    CHECK(encoded_undo_step_bytes(step) == encode_undo_step(step).size());
  }
}

TEST_CASE("undo steps round trip, and one that no change makes is refused", "[codec]") {
  const Entry one{1, day("2026-12-02"), "Dentist", true, {"health"}};
  const Entry three{3, day("2026-12-03"), "Report", false};
  for (const UndoStep& step :
       {UndoStep{1, ChangeKind::add, {7}, {}}, UndoStep{2, ChangeKind::update, {}, {one}},
        UndoStep{3, ChangeKind::erase, {}, {three}},
        UndoStep{4, ChangeKind::drop, {}, {one, three}},
        UndoStep{5, ChangeKind::move, {9}, {}, "work", 3},
        UndoStep{6, ChangeKind::move, {}, {three}, "home: €", 9}}) {
    INFO("change " << static_cast<int>(step.change));
    CHECK(decode_undo_step(encode_undo_step(step)).value() == step);
  }
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 1, {}, {}))) ==
        "corrupt undo step: an undo step that no change makes");
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 1, {7}, {one}))) ==
        "corrupt undo step: an undo step that no change makes");
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 2, {}, {one, three}))) ==
        "corrupt undo step: an undo step that no change makes");
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 4, {}, {}))) ==
        "corrupt undo step: an undo step that no change makes");
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 4, {}, {three, one}))) ==
        "corrupt undo step: replaced entries out of id order");
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 6, {7}, {}))) ==
        "corrupt undo step: unknown change 6");
  // A move's step names the other list after its entries.
  CHECK_FALSE(decode_undo_step(raw_undo_step(1, 5, {7}, {})).ok());
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 5, {7}, {one}))) ==
        "corrupt undo step: an undo step that no change makes");
  CHECK(error_of(decode_undo_step(raw_undo_step(1, 1, {0}, {}))) ==
        "corrupt undo step: entry id 0 does not exist (ids start at 1)");
  // Two added ids: more than any change adds, refused before reading them.
  CHECK_FALSE(decode_undo_step(raw_undo_step(1, 1, {7, 8}, {})).ok());
  // Values of the formats before undo are no undo step.
  CHECK_FALSE(decode_undo_step(encode_entry(one)).ok());
  CHECK_FALSE(decode_undo_step(encode_list_meta({2, 1})).ok());
  const std::string step = encode_undo_step({4, ChangeKind::drop, {}, {one, three}});
  for (std::size_t length = 0; length < step.size(); ++length) {
    INFO("prefix of " << length << " bytes");
    CHECK(error_of(decode_undo_step(step.substr(0, length))).starts_with("corrupt undo step: "));
  }
}

TEST_CASE("list metadata is encoded in the documented layout", "[codec]") {
  CHECK(encode_list_meta({5, 3}) == raw_list_meta(5, 3));
  CHECK(encode_list_meta({5, 3}).size() == 21);
}

TEST_CASE("entries round trip", "[codec]") {
  const std::vector<Entry> entries = {
      {1, day("2026-03-14"), "buy milk", false},
      {2, day("2026-03-14"), "buy milk", true},
      {3, day("0001-01-01"), "first day", false},
      {4, day("9999-12-31"), "last day", true},
      {5, day("1969-12-31"), "tab\tinside, and ünïcödé €", false},
      {std::numeric_limits<EntryId>::max(), day("2000-02-29"), longest_title(), true},
  };
  for (const Entry& entry : entries) {
    const std::string bytes = encode_entry(entry);
    // Fixed fields plus the title, nothing more.
    CHECK(bytes.size() == 26 + entry.title.size());
    const Result<Entry> decoded = decode_entry(bytes);
    REQUIRE(decoded.ok());
    CHECK(decoded.value() == entry);
  }
}

TEST_CASE("list metadata round trips", "[codec]") {
  const std::vector<ListMeta> metas = {
      {1, 0},
      {2, 1},
      {100'001, 100'000},
      {std::numeric_limits<EntryId>::max(), 100'000},
  };
  for (const ListMeta& meta : metas) {
    const Result<ListMeta> decoded = decode_list_meta(encode_list_meta(meta));
    REQUIRE(decoded.ok());
    CHECK(decoded.value() == meta);
  }
}

TEST_CASE("remembered changes round trip, every answer a change can have", "[codec]") {
  const std::vector<ListAnswer> answers = {
      std::monostate{},
      EntryId{7},
      Entry{7, Date::parse("2024-02-29").value(), "Dentist", true},
      NothingToDrop{},
      Undone{ChangeKind::update, 1, Entry{7, Date::parse("2024-02-29").value(), "Dentist", true}},
      Undone{ChangeKind::add, 1, Entry{8, Date::parse("2024-03-01").value(), "Gym", false, {"me"}}},
      Undone{ChangeKind::drop, 12, Entry{}}};
  for (const ListAnswer& answer : answers) {
    INFO("answer " << answer.index());
    const RememberedChange change{{}, 3, -5, 0xfeedULL, answer};
    const Result<RememberedChange> decoded =
        decode_remembered_change(encode_remembered_change(change));
    REQUIRE(decoded.ok());
    CHECK(decoded.value().sequence == 3);
    CHECK(decoded.value().unix_ms == -5);
    CHECK(decoded.value().fingerprint == 0xfeedULL);
    CHECK(decoded.value().answer.index() == answer.index());
    if (const auto* entry = std::get_if<Entry>(&answer)) {
      CHECK(std::get<Entry>(decoded.value().answer) == *entry);
    }
    if (const auto* id = std::get_if<EntryId>(&answer)) {
      CHECK(std::get<EntryId>(decoded.value().answer) == *id);
    }
    if (const auto* undone = std::get_if<Undone>(&answer)) {
      CHECK(std::get<Undone>(decoded.value().answer) == *undone);
    }
  }
  CHECK_FALSE(decode_remembered_change(encode_list_meta({2, 1})).ok());
}

TEST_CASE("every truncation of an encoding is refused", "[codec]") {
  const std::string entry = encode_entry({9, day("2026-01-01"), "pay rent €", true});
  for (std::size_t length = 0; length < entry.size(); ++length) {
    INFO("prefix of " << length << " bytes");
    CHECK(error_of(decode_entry(entry.substr(0, length))).rfind("corrupt entry: ", 0) == 0);
  }
  const std::string meta = encode_list_meta({10, 9});
  for (std::size_t length = 0; length < meta.size(); ++length) {
    INFO("prefix of " << length << " bytes");
    CHECK(error_of(decode_list_meta(meta.substr(0, length))).rfind("corrupt list metadata: ", 0) ==
          0);
  }
}

TEST_CASE("trailing bytes are refused", "[codec]") {
  const std::string entry = encode_entry({1, day("2026-01-01"), "a", false});
  CHECK(error_of(decode_entry(entry + '\0')) == "corrupt entry: 1 trailing bytes");
  CHECK(error_of(decode_entry(entry + "xyz")) == "corrupt entry: 3 trailing bytes");
  CHECK(error_of(decode_list_meta(encode_list_meta({1, 0}) + "ab")) ==
        "corrupt list metadata: 2 trailing bytes");
}

TEST_CASE("a newer format version is refused by name", "[codec]") {
  CHECK(error_of(decode_entry(raw_entry(1, 0, "a", 0, 7))) ==
        "corrupt entry: format version 7 is newer than this todo understands (3)");
  CHECK(error_of(decode_list_meta(raw_list_meta(2, 1, 7))) ==
        "corrupt list metadata: format version 7 is newer than this todo understands (3)");
  CHECK(error_of(decode_entry(raw_entry(1, 0, "a", 0, 0))) ==
        "corrupt entry: format version 0 does not exist");
}

TEST_CASE("a byte order marker other than little-endian is refused", "[codec]") {
  std::string bytes = encode_list_meta({3, 2});
  for (const char marker : {'\0', '\2', '\xFF'}) {
    bytes[0] = marker;
    CHECK(error_of(decode_list_meta(bytes)).find("byte order marker") != std::string::npos);
  }
  CHECK(error_of(decode_entry("")) == "corrupt entry: no bytes");
}

TEST_CASE("a hostile title length is refused before allocating", "[codec]") {
  // Far beyond memory: refused by the title limit.
  CHECK(error_of(decode_entry(raw_entry(1, 0, "", 0).substr(0, 17) +
                              Bytes().u64(std::uint64_t{1} << 62).u8(0).str())) ==
        "corrupt entry: title length 4611686018427387904 exceeds the limit of 4096 bytes");
  // Within the limit but beyond the input: refused by what remains, not by a
  // failed read after the string was sized.
  CHECK(error_of(
            decode_entry(raw_entry(1, 0, "", 0).substr(0, 17) + Bytes().u64(4000).str() + "abc")) ==
        "corrupt entry: title length 4000 exceeds the 3 bytes that remain");
}

TEST_CASE("a done byte other than 0 or 1 is refused", "[codec]") {
  CHECK(decode_entry(raw_entry(1, 0, "a", 0)).value().done == false);
  CHECK(decode_entry(raw_entry(1, 0, "a", 1)).value().done == true);
  for (const std::uint8_t done : {2, 0x80, 0xFF}) {
    CHECK(error_of(decode_entry(raw_entry(1, 0, "a", done))) ==
          "corrupt entry: done byte " + std::to_string(done) + " is neither 0 nor 1");
  }
}

TEST_CASE("a day count outside 0001-01-01 .. 9999-12-31 is refused", "[codec]") {
  CHECK(decode_entry(raw_entry(1, kFirstDay, "a", 0)).value().date == day("0001-01-01"));
  CHECK(decode_entry(raw_entry(1, kLastDay, "a", 0)).value().date == day("9999-12-31"));
  for (const std::int32_t days :
       {kFirstDay - 1, kLastDay + 1, std::numeric_limits<std::int32_t>::min(),
        std::numeric_limits<std::int32_t>::max()}) {
    INFO("day " << days);
    CHECK(error_of(decode_entry(raw_entry(1, days, "a", 0))).find("outside") != std::string::npos);
  }
}

TEST_CASE("a title that is not valid text is refused", "[codec]") {
  const std::vector<std::string> titles = {
      "",                     // empty
      "bad \xFF byte",        // never UTF-8
      "\xC0\xAF",             // overlong '/'
      "\xED\xA0\x80",         // surrogate
      "\xF4\x90\x80\x80",     // above U+10FFFF
      "cut \xE2\x82",         // truncated character
      "bell\x07",             // control character
      longest_title() + "x",  // one byte too long
  };
  for (const std::string& title : titles) {
    INFO("title " << quoted_for_message(title));
    CHECK(error_of(decode_entry(raw_entry(1, 0, title, 0))).find("title") != std::string::npos);
  }
}

TEST_CASE("entry id 0 is refused", "[codec]") {
  CHECK(error_of(decode_entry(raw_entry(0, 0, "a", 0))) ==
        "corrupt entry: entry id 0 does not exist (ids start at 1)");
}

TEST_CASE("list metadata that breaks an invariant is refused", "[codec]") {
  CHECK(error_of(decode_list_meta(raw_list_meta(0, 0))) ==
        "corrupt list metadata: next id 0 (ids start at 1)");
  CHECK(error_of(decode_list_meta(raw_list_meta(200'000, 100'001))) ==
        "corrupt list metadata: entry count 100001 exceeds the limit of 100000");
  CHECK(error_of(decode_list_meta(raw_list_meta(3, 3))) ==
        "corrupt list metadata: entry count 3 is not below next id 3");
}

TEST_CASE("random bytes never crash the decoders", "[codec][fuzz]") {
  std::mt19937 random(20260314);
  std::uniform_int_distribution<int> length_of(0, 64);
  std::uniform_int_distribution<int> byte_of(0, 255);
  // Half the inputs start like a valid value, so that the fields behind the
  // header are reached, not only the marker check.
  const std::string header = Bytes().u8(kMarker).u32(kFormatVersion).str();
  for (int i = 0; i < 200'000; ++i) {
    std::string bytes = i % 2 == 0 ? header : std::string();
    const int length = length_of(random);
    for (int j = 0; j < length; ++j) bytes += static_cast<char>(byte_of(random));
    require_canonical_if_decoded(bytes);
  }
}

TEST_CASE("every single-byte change of a valid encoding is decoded safely", "[codec][fuzz]") {
  const std::vector<std::string> valid = {
      encode_entry({3, day("2026-05-01"), "call ☎ mum", false}),
      encode_entry({1, day("0001-01-01"), "x", true}),
      encode_entry({2, day("2026-05-01"), "y", false, {"a", "wörk"}}),
      encode_list_meta({4, 3}),
      encode_undo_step(
          {2,
           ChangeKind::drop,
           {},
           {{1, day("2026-05-01"), "a", true, {"t"}}, {5, day("2026-05-02"), "b", false}}}),
  };
  int decoded_count = 0;
  for (const std::string& original : valid) {
    for (std::size_t pos = 0; pos < original.size(); ++pos) {
      for (int value = 0; value < 256; ++value) {
        std::string bytes = original;
        bytes[pos] = static_cast<char>(value);
        require_canonical_if_decoded(bytes);
        if (decode_entry(bytes) || decode_list_meta(bytes) || decode_undo_step(bytes)) {
          ++decoded_count;
        }
      }
    }
  }
  // Some changes (an id, a title letter) are valid values, so the loop did
  // reach the end of decoding and not only its early refusals.
  CHECK(decoded_count > 1000);

  std::mt19937 random(7);
  const std::string longest = encode_entry({2, day("2026-01-01"), longest_title(), true});
  std::uniform_int_distribution<std::size_t> position_of(0, longest.size() - 1);
  std::uniform_int_distribution<int> byte_of(0, 255);
  for (int i = 0; i < 2'000; ++i) {
    std::string bytes = longest;
    bytes[position_of(random)] = static_cast<char>(byte_of(random));
    require_canonical_if_decoded(bytes);
  }
}

// A sequence decoded the way the wire protocol will decode its lists: a
// bounded count, then bounded strings.
struct Words {
  std::vector<std::string> words;
};

constexpr std::size_t kMaxWords = 1000;
constexpr std::size_t kMaxWordBytes = 16;
// A count prefix of an empty word.
constexpr std::size_t kMinWordBytes = 8;

template <class Archive>
void save(Archive& archive, const Words& value) {
  detail::save_count(archive, value.words.size());
  for (const std::string& word : value.words) detail::save_string(archive, word);
}

template <class Archive>
void load(Archive& archive, Words& value) {
  const std::size_t count = detail::load_count(archive, kMaxWords, kMinWordBytes, "word");
  value.words.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    value.words.push_back(detail::load_string(archive, kMaxWordBytes, "word"));
  }
}

Result<Words> decode_words(std::string_view bytes) {
  return detail::decode_portable<Words>(bytes, "words");
}

TEST_CASE("sequences round trip through the cereal helpers", "[cereal_io]") {
  const Words words{{"", "one", "sixteen-bytes-xx"}};
  const Result<Words> decoded = decode_words(detail::encode_portable(words));
  REQUIRE(decoded.ok());
  CHECK(decoded.value().words == words.words);
}

TEST_CASE("a sequence count the input cannot hold is refused before reserving", "[cereal_io]") {
  // Two 8-byte elements' worth of input cannot hold three elements.
  const std::string three_claimed = Bytes().u8(kMarker).u64(3).text("").text("").str();
  CHECK(decode_words(three_claimed).error().message ==
        "corrupt words: word count 3 cannot fit in the 16 bytes that remain (at least 8 each)");
  const std::string too_many = Bytes().u8(kMarker).u64(kMaxWords + 1).str();
  CHECK(decode_words(too_many).error().message ==
        "corrupt words: word count 1001 exceeds the limit of 1000");
}

// A string with no limit of its own is still held to the input that remains.
struct Unlimited {
  std::string text;
};

template <class Archive>
void load(Archive& archive, Unlimited& value) {
  value.text = detail::load_string(archive, std::numeric_limits<std::size_t>::max(), "text");
}

TEST_CASE("a string length beyond the input is refused even without a limit", "[cereal_io]") {
  const std::string hostile = Bytes().u8(kMarker).u64(std::uint64_t{1} << 62).str();
  CHECK(detail::decode_portable<Unlimited>(hostile, "text").error().message ==
        "corrupt text: text length 4611686018427387904 exceeds the 0 bytes that remain");
}

// Load functions that fail the way a load function might.
struct ThrowsBadAlloc {};
struct ThrowsNonStandard {};

template <class Archive>
void load(Archive&, ThrowsBadAlloc&) {
  throw std::bad_alloc();
}

template <class Archive>
void load(Archive&, ThrowsNonStandard&) {
  throw 42;
}

TEST_CASE("no exception escapes decode_portable", "[cereal_io]") {
  const std::string marker_only(1, static_cast<char>(kMarker));
  CHECK(detail::decode_portable<ThrowsBadAlloc>(marker_only, "thing").error().message ==
        "corrupt thing: std::bad_alloc");
  CHECK(detail::decode_portable<ThrowsNonStandard>(marker_only, "thing").error().message ==
        "corrupt thing: unknown decoding failure");
}

}  // namespace
}  // namespace todo
