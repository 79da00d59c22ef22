// Tests for the wire protocol (common/protocol.hpp): every request and reply
// survives a round trip, the bytes follow docs/protocol.md, and whatever a
// client might send that is truncated, corrupt or hostile is refused with a
// reason instead of crashing or allocating what the input does not justify.
#include "common/protocol.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "bytes.hpp"
#include "common/list.hpp"
#include "common/validation.hpp"
#include "day.hpp"
#include "describe.hpp"

namespace todo {
namespace {

using testing::Bytes;
using testing::describe;
using testing::kMarker;

constexpr std::uint64_t kMaxId = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kHostileCount = std::uint64_t{1} << 62;

// Tags as docs/protocol.md gives them.
constexpr std::uint8_t kCommandList = 1;
constexpr std::uint8_t kCommandRetiredListNames = 2;
constexpr std::uint8_t kCommandPing = 3;
constexpr std::uint8_t kCommandListNames = 4;
constexpr std::uint8_t kCommandKeyedList = 5;
constexpr std::uint8_t kOperationAdd = 1;
constexpr std::uint8_t kOperationGet = 2;
constexpr std::uint8_t kOperationUpdate = 3;
constexpr std::uint8_t kOperationDelete = 4;
constexpr std::uint8_t kOperationDrop = 5;
constexpr std::uint8_t kOperationGetPage = 6;
constexpr std::uint8_t kOperationGetFiltered = 7;
constexpr std::uint8_t kPayloadNone = 0;
constexpr std::uint8_t kPayloadId = 1;
constexpr std::uint8_t kPayloadEntry = 2;
constexpr std::uint8_t kPayloadEntries = 3;
constexpr std::uint8_t kPayloadNames = 4;
constexpr std::uint8_t kPayloadPing = 5;

using testing::day;

const std::int32_t kFirstDay = Date::parse("0001-01-01").value().days_since_epoch();
const std::int32_t kLastDay = Date::parse("9999-12-31").value().days_since_epoch();

// The fixed part every request starts with.
Bytes request_header(std::uint64_t id, std::uint32_t version = kProtocolVersion) {
  Bytes bytes;
  bytes.u8(kMarker).u32(version).u64(id);
  return bytes;
}

// The fixed part every reply starts with, up to the payload tag.
Bytes reply_header(std::uint64_t request_id, std::uint8_t status = 0,
                   std::string_view message = "") {
  Bytes bytes;
  bytes.u8(kMarker).u32(kProtocolVersion).u64(request_id).u8(status).text(message);
  return bytes;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (!text.empty()) text += ' ';
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xF];
  }
  return text;
}

void require_request_round_trip(const Request& request) {
  const std::string bytes = encode_request(request);
  INFO("request " << describe(request) << "\nbytes " << hex(bytes));
  const auto decoded = decode_request(bytes);
  if (!decoded) FAIL(decoded.error().message);
  CHECK(describe(decoded.value()) == describe(request));
  CHECK(decoded.value().command.index() == request.command.index());
}

void require_reply_round_trip(const Reply& reply) {
  const std::string bytes = encode_reply(reply);
  INFO("reply " << describe(reply).substr(0, 300));
  const auto decoded = decode_reply(bytes);
  if (!decoded) FAIL(decoded.error().message);
  CHECK(describe(decoded.value()) == describe(reply));
  CHECK(decoded.value().payload.index() == reply.payload.index());
}

template <class T>
std::string error_of(const Result<T>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

UpdateEntry update(EntryId id, std::optional<Date> date, std::optional<std::string> title,
                   std::optional<bool> done) {
  UpdateEntry op;
  op.id = id;
  op.change.date = date;
  op.change.title = std::move(title);
  op.change.done = done;
  return op;
}

Request list_request(std::uint64_t id, std::string list, ListOperation operation) {
  return Request{id, ListCommand{std::move(list), std::move(operation)}};
}

constexpr IdempotencyKey kKey{0x0123456789abcdefULL, 0xfedcba9876543210ULL};

Request keyed_request(std::uint64_t id, std::string list, ListOperation operation,
                      IdempotencyKey key = kKey) {
  return Request{id, ListCommand{std::move(list), std::move(operation), key}};
}

std::shared_ptr<const EntryFilter> filter_of(EntryFilter filter) {
  return std::make_shared<const EntryFilter>(std::move(filter));
}

// One request of every command and operation, and every update combination.
std::vector<Request> sample_requests() {
  std::vector<Request> requests = {
      list_request(1, "bob", AddEntry{day("2018-12-19"), "Dentist"}),
      list_request(0, "x", AddEntry{day("0001-01-01"), "T\xC3\xA9l\xC3\xA9phone\tcall"}),
      list_request(kMaxId, std::string(255, 'n'), AddEntry{day("9999-12-31"), "a"}),
      list_request(2, "bob", GetEntries{}),
      list_request(3, "bob", GetEntries{day("2024-02-29")}),
      list_request(18, "bob",
                   GetEntries{.date = std::nullopt,
                              .after = 0,
                              .limit = 0,
                              .filter = std::make_shared<const EntryFilter>()}),
      list_request(19, "bob",
                   GetEntries{.date = day("2024-02-29"),
                              .after = 7,
                              .limit = 1000,
                              .filter = filter_of({.done = DoneState::pending,
                                                   .from = day("2024-01-01"),
                                                   .to = day("2024-12-31"),
                                                   .search = "Caf\xC3\xA9"})}),
      list_request(20, "bob",
                   GetEntries{.date = std::nullopt,
                              .after = 0,
                              .limit = 5,
                              .filter = filter_of({.done = DoneState::done,
                                                   .from = std::nullopt,
                                                   .to = day("2024-12-31"),
                                                   .search = std::string(1024, 's')})}),
      list_request(4, "bob", DeleteEntry{42}),
      list_request(5, "bob", DeleteEntry{kMaxId}),
      list_request(6, "bob", DropList{}),
      list_request(26, "bob", UndoChange{}),
      keyed_request(27, "bob", UndoChange{}),
      list_request(28, "bob", RenameList{"robert"}),
      keyed_request(29, "bob", MoveEntry{kMaxId, "alice/w\xC3\xB6rk"}),
      keyed_request(9, "bob", AddEntry{day("2018-12-19"), "Dentist"}),
      list_request(21, "bob", AddEntry{day("2018-12-19"), "Dentist", {"health", "t\xC3\xA4g"}}),
      list_request(22, "bob",
                   UpdateEntry{3, EntryChange{.tags = std::make_shared<const TagChange>(
                                                  TagChange{std::nullopt, {"a"}, {"b", "c"}})}}),
      list_request(23, "bob",
                   UpdateEntry{3, EntryChange{.tags = std::make_shared<const TagChange>(
                                                  TagChange{Tags{}, {}, {}})}}),
      list_request(24, "bob",
                   UpdateEntry{3, EntryChange{.title = "t",
                                              .tags = std::make_shared<const TagChange>(
                                                  TagChange{Tags{"x", "y"}, {"z"}, {}})}}),
      list_request(25, "bob",
                   GetEntries{.date = std::nullopt,
                              .after = 0,
                              .limit = 5,
                              .filter = filter_of({.tags = {"home", "work"}})}),
      keyed_request(10, "bob", update(3, std::nullopt, std::string("t"), true)),
      keyed_request(11, "bob", DeleteEntry{42}),
      keyed_request(12, "bob", DropList{}, IdempotencyKey{kMaxId, 0}),
      keyed_request(13, "bob", DropList{}, IdempotencyKey{}),
      Request{7, ListNames{}},
      Request{8, Ping{}},
      Request{14, AddToken{TokenGrant{"phone", {"alice/*", "bob"}, true}}},
      Request{15, AddToken{TokenGrant{"all", {}, false}}},
      Request{16, ListTokens{}},
      Request{17, RevokeToken{"phone"}},
      Request{18, MakeBackup{"/var/backups/todo", 0}},
      Request{19, MakeBackup{"/" + std::string(4095, 'd'), 4294967295U}},
      Request{20, UndoLatest{}},
      Request{21, UndoLatest{IdempotencyKey{kMaxId, 1}}},
  };
  std::uint64_t id = 100;
  for (const bool has_date : {false, true}) {
    for (const bool has_title : {false, true}) {
      for (const bool has_done : {false, true}) {
        for (const bool done : {false, true}) {
          if (!has_done && done) continue;
          requests.push_back(list_request(
              id++, "work",
              update(7, has_date ? std::optional(day("2024-03-01")) : std::nullopt,
                     has_title ? std::optional<std::string>("New title") : std::nullopt,
                     has_done ? std::optional(done) : std::nullopt)));
        }
      }
    }
  }
  return requests;
}

std::vector<Entry> numbered_entries(std::size_t count) {
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < count; ++i) {
    entries.push_back(Entry{i + 1, day("2024-01-01").plus_days(static_cast<std::int32_t>(i % 400)),
                            "entry " + std::to_string(i + 1), i % 3 == 0,
                            i % 4 == 1 ? Tags{"t" + std::to_string(i % 7)} : Tags{}});
  }
  return entries;
}

// One reply of every payload and every status; none of them large.
std::vector<Reply> sample_replies() {
  return {
      Reply{1, StatusCode::ok, "", std::monostate{}},
      Reply{2, StatusCode::ok, "", EntryId{1}},
      Reply{kMaxId, StatusCode::ok, "", EntryId{kMaxId}},
      Reply{3, StatusCode::ok, "", Entry{7, day("2024-02-29"), "Dentist \xF0\x9F\xA6\xB7", true}},
      Reply{4, StatusCode::ok, "", Entry{8, day("0001-01-01"), "", false}},
      Reply{19, StatusCode::ok, "", Entry{9, day("2026-12-04"), "Gym", false, {"health", "me"}}},
      Reply{5, StatusCode::ok, "", std::vector<Entry>{}},
      Reply{6, StatusCode::ok, "", numbered_entries(1)},
      Reply{7, StatusCode::ok, "", numbered_entries(3)},
      Reply{8, StatusCode::ok, "", std::vector<std::string>{}},
      Reply{9, StatusCode::ok, "", std::vector<std::string>{"alice", "bob", std::string(255, 'z')}},
      Reply{10, StatusCode::ok, "",
            PingInfo{"0.1.0", 123456, 3, 99, 4, 1, 5, 6, 2, 7, 800, 1 << 30}},
      Reply{14, StatusCode::ok, "", TokenSecret{"todo_" + std::string(64, 'a')}},
      Reply{15, StatusCode::ok, "", std::vector<TokenInfo>{}},
      Reply{16, StatusCode::ok, "",
            std::vector<TokenInfo>{{{"phone", {"alice/*"}, true}, 1764740000, 0},
                                   {{"all", {}, false}, 1, kMaxId >> 1}}},
      Reply{17, StatusCode::ok, "", BackupMade{1, 0, 0, 1}},
      Reply{18, StatusCode::ok, "", BackupMade{4294967295U, kMaxId, 9, 4294967295U}},
      Reply{19, StatusCode::ok, "",
            Undone{ChangeKind::update, 1, Entry{3, day("2024-02-29"), "a", true, {"x"}}}},
      Reply{20, StatusCode::ok, "", Undone{ChangeKind::drop, kMaxId, Entry{}}},
      Reply{21, StatusCode::ok, "", Undone{ChangeKind::move, 1, Entry{5, day("2024-02-29"), "m"}}},
      Reply{22, StatusCode::ok, "",
            UndoneIn{"my list", Undone{ChangeKind::add, 1, Entry{5, day("2024-02-29"), "m"}}}},
      Reply{23, StatusCode::ok, "", UndoneIn{std::string(255, 'z'), Undone{ChangeKind::drop, 3}}},
      Reply{11, StatusCode::not_found, "no entry 7 in list 'bob'", std::monostate{}},
      Reply{12, StatusCode::invalid_argument, "invalid date '2024-02-30'", std::monostate{}},
      Reply{13, StatusCode::busy, "list 'bob' is busy; try again", std::monostate{}},
      Reply{0, StatusCode::internal, "could not write /var/lib/todo: disk full", std::monostate{}},
  };
}

TEST_CASE("every request command and operation survives a round trip", "[protocol]") {
  for (const Request& request : sample_requests()) require_request_round_trip(request);
}

TEST_CASE("a change keeps its idempotency key; a request without one still has none",
          "[protocol]") {
  const auto decoded = decode_request(encode_request(keyed_request(1, "bob", DeleteEntry{4})));
  REQUIRE(decoded.ok());
  const auto& command = std::get<ListCommand>(decoded.value().command);
  REQUIRE(command.key.has_value());
  CHECK(*command.key == kKey);
  const auto plain = decode_request(encode_request(list_request(1, "bob", DeleteEntry{4})));
  REQUIRE(plain.ok());
  CHECK_FALSE(std::get<ListCommand>(plain.value().command).key.has_value());
}

TEST_CASE("a read with an idempotency key is refused", "[protocol]") {
  for (const ListOperation& read :
       {ListOperation(GetEntries{}), ListOperation(GetEntries{day("2024-02-29"), 5, 10})}) {
    const std::string bytes = encode_request(keyed_request(1, "bob", read));
    INFO("bytes " << hex(bytes));
    CHECK_THAT(error_of(decode_request(bytes)),
               Catch::Contains("idempotency key goes only with a change"));
  }
}

TEST_CASE("update requests keep exactly the fields they carry", "[protocol]") {
  // 2^3 combinations of date/title/done, with done both true and false, and
  // changes of tags.
  std::size_t updates = 0;
  for (const Request& request : sample_requests()) {
    const auto* command = std::get_if<ListCommand>(&request.command);
    if (command == nullptr || !std::holds_alternative<UpdateEntry>(command->operation)) continue;
    ++updates;
    const auto decoded = decode_request(encode_request(request));
    REQUIRE(decoded.ok());
    const auto& sent = std::get<UpdateEntry>(command->operation);
    const auto& received =
        std::get<UpdateEntry>(std::get<ListCommand>(decoded.value().command).operation);
    CHECK(received.id == sent.id);
    CHECK(received.change == sent.change);
  }
  CHECK(updates == 16);  // and one with a key, and three of tags
}

TEST_CASE("every reply payload and status survives a round trip", "[protocol]") {
  for (const Reply& reply : sample_replies()) require_reply_round_trip(reply);
}

TEST_CASE("a reply of 1000 entries survives a round trip", "[protocol]") {
  const Reply reply{77, StatusCode::ok, "", numbered_entries(1000)};
  const auto decoded = decode_reply(encode_reply(reply));
  if (!decoded) FAIL(decoded.error().message);
  const auto* entries = std::get_if<std::vector<Entry>>(&decoded.value().payload);
  REQUIRE(entries != nullptr);
  CHECK(entries->size() == 1000);
  CHECK(*entries == std::get<std::vector<Entry>>(reply.payload));
  CHECK(decoded.value().request_id == 77);
}

TEST_CASE("entries encoded ahead go on the wire exactly as the entries themselves", "[protocol]") {
  const std::vector<Entry> entries = numbered_entries(500);
  for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{500}}) {
    INFO(count << " entries");
    const std::span<const Entry> some(entries.data(), count);
    const std::vector<Entry> copied(some.begin(), some.end());
    const std::string from_encoded = encode_reply({3, StatusCode::ok, "", encode_entries(some)});
    CHECK(from_encoded == encode_reply({3, StatusCode::ok, "", copied}));
    const auto decoded = decode_reply(from_encoded);
    REQUIRE(decoded.ok());
    CHECK(std::get<std::vector<Entry>>(decoded.value().payload) == copied);
  }
}

TEST_CASE("entries encoded for one date hold exactly that date's entries, in order", "[protocol]") {
  const std::vector<Entry> entries = numbered_entries(1000);  // dates cycle every 400
  const List list = List::restore("dated", 1001, entries).value();
  const Date date = entries[17].date;
  const auto decoded = decode_entries(encode_entries(list.entries(date)));
  REQUIRE(decoded.ok());
  std::vector<EntryId> ids;
  for (const Entry& entry : decoded.value()) {
    CHECK(entry.date == date);
    ids.push_back(entry.id);
  }
  CHECK(ids == std::vector<EntryId>{18, 418, 818});
  const auto none = decode_entries(encode_entries(list.entries(day("1999-01-01"))));
  REQUIRE(none.ok());
  CHECK(none.value().empty());
}

TEST_CASE("encoded entries that are cut short or carry extra bytes are refused", "[protocol]") {
  const std::string whole = *encode_entries(numbered_entries(3)).bytes;
  const EncodedEntries cut{std::make_shared<const std::string>(whole.substr(0, whole.size() - 1))};
  const auto cut_decoded = decode_entries(cut);
  REQUIRE_FALSE(cut_decoded.ok());
  CHECK_THAT(cut_decoded.error().message, Catch::Contains("corrupt entries"));
  const EncodedEntries longer{std::make_shared<const std::string>(whole + '\0')};
  const auto long_decoded = decode_entries(longer);
  REQUIRE_FALSE(long_decoded.ok());
  CHECK_THAT(long_decoded.error().message, Catch::Contains("1 trailing bytes"));
}

TEST_CASE("entries viewed in place are the entries decoded and refused where decoding refuses",
          "[protocol]") {
  std::vector<Entry> entries = numbered_entries(300);
  entries[5].title = "T\xC3\xA9l\xC3\xA9phone\tcall";
  entries[6].title = std::string(kMaxTitleBytes, 'x');
  entries[7].title.clear();
  entries[8].date = day("0001-01-01");
  entries[9].date = day("9999-12-31");
  const EncodedEntries encoded = encode_entries(entries);
  const auto views = view_entries(encoded);
  if (!views) FAIL(views.error().message);
  REQUIRE(views.value().size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const EntryView& view = views.value()[i];
    CHECK(Entry{view.id, view.date, std::string(view.title), view.done,
                Tags(view.tags.begin(), view.tags.end())} == entries[i]);
  }
  CHECK(view_entries(encode_entries({})).value().empty());

  // Every way decoding refuses bytes, viewing refuses them too.
  const std::string whole = *encoded.bytes;
  std::vector<std::string> broken = {"", whole.substr(1), whole + '\0'};
  for (std::size_t cut = 1; cut < 200; cut += 7) broken.push_back(whole.substr(0, cut));
  std::string bad_done = *encode_entries(numbered_entries(1)).bytes;
  bad_done.back() = 2;
  broken.push_back(bad_done);
  std::string bad_date = *encode_entries(numbered_entries(1)).bytes;
  bad_date[1 + 8 + 8 + 3] = '\x7f';  // the date's high byte: far past 9999
  broken.push_back(bad_date);
  std::string huge_count = whole;
  huge_count[8] = '\x01';  // the count's high byte
  broken.push_back(huge_count);
  for (const std::string& bytes : broken) {
    INFO("bytes " << hex(bytes.substr(0, 40)));
    const EncodedEntries damaged{std::make_shared<const std::string>(bytes)};
    CHECK_FALSE(decode_entries(damaged).ok());
    const auto viewed = view_entries(damaged);
    REQUIRE_FALSE(viewed.ok());
    CHECK_THAT(viewed.error().message, Catch::StartsWith("corrupt entries"));
  }
}

TEST_CASE("request ids are echoed unchanged", "[protocol]") {
  for (const std::uint64_t id :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x0102030405060708}, kMaxId}) {
    INFO("id " << id);
    const auto request = decode_request(encode_request(Request{id, Ping{}}));
    REQUIRE(request.ok());
    CHECK(request.value().id == id);
    const auto reply = decode_reply(encode_reply(Reply{id, StatusCode::ok, "", std::monostate{}}));
    REQUIRE(reply.ok());
    CHECK(reply.value().request_id == id);
    CHECK(peek_request_id(encode_request(Request{id, Ping{}})) == id);
  }
}

TEST_CASE("each error status carries its message", "[protocol]") {
  for (const StatusCode status : {StatusCode::not_found, StatusCode::invalid_argument,
                                  StatusCode::busy, StatusCode::internal}) {
    const Error error{status, "what went wrong: " + std::string(to_string(status))};
    const auto decoded = decode_reply(encode_reply(Reply::failure(9, error)));
    REQUIRE(decoded.ok());
    CHECK(decoded.value().status == status);
    CHECK(decoded.value().message == error.message);
    CHECK(decoded.value().request_id == 9);
    CHECK(std::holds_alternative<std::monostate>(decoded.value().payload));
  }
}

TEST_CASE("the bytes follow the documented layout", "[protocol]") {
  SECTION("the worked example of docs/protocol.md") {
    const Request add = list_request(1, "bob", AddEntry{day("2018-12-19"), "Dentist"});
    CHECK(hex(encode_request(add)) ==
          "01 03 00 00 00 01 00 00 00 00 00 00 00 01 03 00 00 00 00 00 00 00 62 6f 62 01 dc 45 "
          "00 00 07 00 00 00 00 00 00 00 44 65 6e 74 69 73 74 00 00 00 00 00 00 00 00");
    const Reply added{1, StatusCode::ok, "", EntryId{1}};
    CHECK(hex(encode_reply(added)) ==
          "01 03 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00 00 00 00 00 "
          "00 00");
    // Its unknown command.
    const auto unknown = decode_request(request_header(1).u8(11).str());
    REQUIRE_FALSE(unknown.ok());
    CHECK(hex(encode_reply(Reply::failure(1, unknown.error()))) ==
          "01 03 00 00 00 01 00 00 00 00 00 00 00 02 23 00 00 00 00 00 00 00 63 6f 72 72 75 70 74 "
          "20 72 65 71 75 65 73 74 3a 20 75 6e 6b 6e 6f 77 6e 20 63 6f 6d 6d 61 6e 64 20 31 31 00");
  }
  SECTION("the access token commands and their payloads") {
    CHECK(encode_request(Request{5, AddToken{TokenGrant{"p", {"a/*"}, true}}}) ==
          request_header(5).u8(6).text("p").u64(1).text("a/*").u8(1).str());
    CHECK(encode_request(Request{5, ListTokens{}}) == request_header(5).u8(7).str());
    CHECK(encode_request(Request{5, RevokeToken{"p"}}) == request_header(5).u8(8).text("p").str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "", TokenSecret{"todo_ab"}}) ==
          reply_header(5).u8(6).text("todo_ab").str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "",
                             std::vector<TokenInfo>{{{"p", {}, false}, 1764740000, 0}}}) ==
          reply_header(5).u8(7).u64(1).text("p").u64(0).u8(0).u64(1764740000).u64(0).str());
  }
  SECTION("a backup and what it made") {
    CHECK(encode_request(Request{5, MakeBackup{"/b", 3}}) ==
          request_header(5).u8(9).text("/b").u32(3).str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "", BackupMade{2, 4096, 7, 2}}) ==
          reply_header(5).u8(8).u32(2).u64(4096).u32(7).u32(2).str());
  }
  SECTION("an undo of any list's newest change, and what it undid") {
    CHECK(encode_request(Request{5, UndoLatest{}}) == request_header(5).u8(10).u8(0).str());
    CHECK(encode_request(Request{5, UndoLatest{kKey}}) ==
          request_header(5).u8(10).u8(1).u64(kKey.high).u64(kKey.low).str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "",
                             UndoneIn{"bob", Undone{ChangeKind::erase, 1,
                                                    Entry{3, day("2024-02-29"), "a", false}}}}) ==
          reply_header(5)
              .u8(10)
              .text("bob")
              .u8(3)
              .u64(1)
              .u64(3)
              .i32(day("2024-02-29").days_since_epoch())
              .text("a")
              .u8(0)
              .u64(0)
              .str());
  }
  SECTION("a keyed change: the key after the command tag, high word first") {
    CHECK(encode_request(keyed_request(5, "bob", DeleteEntry{9})) == request_header(5)
                                                                         .u8(kCommandKeyedList)
                                                                         .u64(kKey.high)
                                                                         .u64(kKey.low)
                                                                         .text("bob")
                                                                         .u8(kOperationDelete)
                                                                         .u64(9)
                                                                         .str());
    CHECK(encode_request(keyed_request(5, "bob", DropList{})) == request_header(5)
                                                                     .u8(kCommandKeyedList)
                                                                     .u64(kKey.high)
                                                                     .u64(kKey.low)
                                                                     .text("bob")
                                                                     .u8(kOperationDrop)
                                                                     .str());
  }
  SECTION("requests") {
    const std::int32_t leap_day = day("2024-02-29").days_since_epoch();
    CHECK(encode_request(list_request(5, "bob", AddEntry{day("2024-02-29"), "t"})) ==
          request_header(5)
              .u8(kCommandList)
              .text("bob")
              .u8(kOperationAdd)
              .i32(leap_day)
              .text("t")
              .u64(0)  // no tags
              .str());
    CHECK(encode_request(list_request(5, "bob", AddEntry{day("2024-02-29"), "t", {"a", "bc"}})) ==
          request_header(5)
              .u8(kCommandList)
              .text("bob")
              .u8(kOperationAdd)
              .i32(leap_day)
              .text("t")
              .u64(2)
              .text("a")
              .text("bc")
              .str());
    UpdateEntry retag{9, {}};
    retag.change.tags = std::make_shared<const TagChange>(TagChange{Tags{"r"}, {"a"}, {"b"}});
    CHECK(encode_request(list_request(5, "bob", retag)) == request_header(5)
                                                               .u8(kCommandList)
                                                               .text("bob")
                                                               .u8(kOperationUpdate)
                                                               .u64(9)
                                                               .u8(8 | 16 | 32)
                                                               .u64(1)
                                                               .text("r")
                                                               .u64(1)
                                                               .text("a")
                                                               .u64(1)
                                                               .text("b")
                                                               .str());
    CHECK(encode_request(list_request(5, "bob", GetEntries{})) ==
          request_header(5).u8(kCommandList).text("bob").u8(kOperationGet).u8(0).str());
    CHECK(
        encode_request(list_request(5, "bob", GetEntries{day("2024-02-29")})) ==
        request_header(5).u8(kCommandList).text("bob").u8(kOperationGet).u8(1).i32(leap_day).str());
    CHECK(encode_request(
              list_request(5, "bob", update(9, day("2024-02-29"), std::string("t"), true))) ==
          request_header(5)
              .u8(kCommandList)
              .text("bob")
              .u8(kOperationUpdate)
              .u64(9)
              .u8(1 | 2 | 4)
              .i32(leap_day)
              .text("t")
              .u8(1)
              .str());
    CHECK(encode_request(list_request(5, "bob", update(9, std::nullopt, std::nullopt, false))) ==
          request_header(5)
              .u8(kCommandList)
              .text("bob")
              .u8(kOperationUpdate)
              .u64(9)
              .u8(4)
              .u8(0)
              .str());
    CHECK(encode_request(list_request(5, "bob", DeleteEntry{9})) ==
          request_header(5).u8(kCommandList).text("bob").u8(kOperationDelete).u64(9).str());
    CHECK(encode_request(list_request(5, "bob", DropList{})) ==
          request_header(5).u8(kCommandList).text("bob").u8(kOperationDrop).str());
    CHECK(encode_request(list_request(5, "bob", UndoChange{})) ==
          request_header(5).u8(kCommandList).text("bob").u8(8).str());
    CHECK(encode_request(list_request(5, "bob", RenameList{"rob"})) ==
          request_header(5).u8(kCommandList).text("bob").u8(9).text("rob").str());
    CHECK(encode_request(list_request(5, "bob", MoveEntry{7, "work"})) ==
          request_header(5).u8(kCommandList).text("bob").u8(10).u64(7).text("work").str());
    CHECK(encode_request(Request{5, ListNames{}}) ==
          request_header(5).u8(kCommandListNames).text("").u32(1000).str());
    CHECK(encode_request(Request{5, ListNames{"bob", 20}}) ==
          request_header(5).u8(kCommandListNames).text("bob").u32(20).str());
    CHECK(encode_request(Request{5, Ping{}}) == request_header(5).u8(kCommandPing).str());
  }
  SECTION("replies") {
    const std::int32_t leap_day = day("2024-02-29").days_since_epoch();
    CHECK(encode_reply(Reply{5, StatusCode::busy, "m", std::monostate{}}) ==
          reply_header(5, 3, "m").u8(kPayloadNone).str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "", EntryId{9}}) ==
          reply_header(5).u8(kPayloadId).u64(9).str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "", Entry{9, day("2024-02-29"), "t", true}}) ==
          reply_header(5).u8(kPayloadEntry).u64(9).i32(leap_day).text("t").u8(1).u64(0).str());
    CHECK(
        encode_reply(Reply{5, StatusCode::ok, "", Entry{9, day("2024-02-29"), "t", true, {"x"}}}) ==
        reply_header(5)
            .u8(kPayloadEntry)
            .u64(9)
            .i32(leap_day)
            .text("t")
            .u8(1)
            .u64(1)
            .text("x")
            .str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "",
                             std::vector<Entry>{Entry{9, day("2024-02-29"), "t", false}}}) ==
          reply_header(5)
              .u8(kPayloadEntries)
              .u64(1)
              .u64(9)
              .i32(leap_day)
              .text("t")
              .u8(0)
              .u64(0)
              .str());
    CHECK(encode_reply(Reply{5, StatusCode::ok, "", std::vector<std::string>{"a", "bc"}}) ==
          reply_header(5).u8(kPayloadNames).u64(2).text("a").text("bc").str());
    CHECK(encode_reply(
              Reply{5, StatusCode::ok, "", PingInfo{"1.0", 10, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}) ==
          reply_header(5)
              .u8(kPayloadPing)
              .text("1.0")
              .u64(10)
              .u64(2)
              .u64(3)
              .u64(4)
              .u64(5)
              .u64(6)
              .u64(7)
              .u64(8)
              .u64(9)
              .u64(10)
              .u64(11)
              .text("")
              .str());
  }
  SECTION("status codes") {
    CHECK(static_cast<int>(StatusCode::ok) == 0);
    CHECK(static_cast<int>(StatusCode::not_found) == 1);
    CHECK(static_cast<int>(StatusCode::invalid_argument) == 2);
    CHECK(static_cast<int>(StatusCode::busy) == 3);
    CHECK(static_cast<int>(StatusCode::internal) == 4);
  }
}

TEST_CASE("a version 1 request is answered as version 1 answered it", "[protocol]") {
  const std::string v1_ping = request_header(3, 1).u8(kCommandPing).str();
  const auto request = decode_request(v1_ping);
  REQUIRE(request.ok());
  CHECK(request.value().protocol_version == 1);
  CHECK(reply_version_for(v1_ping) == 1);
  CHECK(reply_version_for(request_header(3, 9).str()) == 1);
  CHECK(reply_version_for("\x01") == 1);
  CHECK(decode_request(encode_request(Request{3, Ping{}})).value().protocol_version ==
        kProtocolVersion);

  PingInfo ping{"1.0", 10, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  ping.degraded = "read-only";
  const std::string v1_reply = encode_reply(Reply{3, StatusCode::ok, "", ping}, 1);
  CHECK(v1_reply.substr(1, 4) == std::string("\x01\0\0\0", 4));
  const auto decoded = decode_reply(v1_reply);
  REQUIRE(decoded.ok());
  // Version 1 has no field for it.
  CHECK(std::get<PingInfo>(decoded.value().payload).degraded.empty());
  const auto v2 = decode_reply(encode_reply(Reply{3, StatusCode::ok, "", ping}));
  REQUIRE(v2.ok());
  CHECK(std::get<PingInfo>(v2.value().payload) == ping);
}

TEST_CASE("a version 2 client sees entries without their tags and sends none", "[protocol]") {
  const std::vector<Entry> tagged = {Entry{1, day("2024-02-29"), "a", false, {"x", "y"}},
                                     Entry{2, day("2024-03-01"), "b", true}};
  std::vector<Entry> untagged = tagged;
  for (Entry& entry : untagged) entry.tags.clear();
  for (const ReplyPayload& payload : {ReplyPayload(encode_entries(tagged)), ReplyPayload(tagged)}) {
    const std::string v2 = encode_reply(Reply{3, StatusCode::ok, "", payload}, 2);
    CHECK(v2.substr(1, 4) == std::string("\x02\0\0\0", 4));
    // Byte for byte what a version 2 todod sent for the same entries.
    CHECK(v2 == encode_reply(Reply{3, StatusCode::ok, "", untagged}, 2));
    const auto decoded = decode_reply(v2);
    REQUIRE(decoded.ok());
    CHECK(std::get<std::vector<Entry>>(decoded.value().payload) == untagged);
  }
  const std::string v2_entry = encode_reply(Reply{3, StatusCode::ok, "", tagged.front()}, 2);
  CHECK(std::get<Entry>(decode_reply(v2_entry).value().payload) == untagged.front());
  // A version 2 add is read with no tags, as a version 2 todod read it.
  Request add = list_request(4, "bob", AddEntry{day("2018-12-19"), "Dentist"});
  add.protocol_version = 2;
  const std::string v2_add = encode_request(add);
  CHECK(v2_add == request_header(4, 2)
                      .u8(kCommandList)
                      .text("bob")
                      .u8(1)
                      .i32(day("2018-12-19").days_since_epoch())
                      .text("Dentist")
                      .str());
  const auto decoded_add = decode_request(v2_add);
  REQUIRE(decoded_add.ok());
  const auto& op = std::get<ListCommand>(decoded_add.value().command).operation;
  CHECK(std::get<AddEntry>(op).tags.empty());
}

TEST_CASE("big entries go as a frame of their own from version 3", "[protocol]") {
  std::vector<Entry> many;
  for (EntryId id = 1; many.size() * 60 < 2 * kSeparateFrameBytes; ++id) {
    many.push_back(Entry{id, day("2024-02-29"), std::string(40, 't'), id % 2 == 0});
  }
  const EncodedEntries encoded = encode_entries(many);
  const Reply reply{8, StatusCode::ok, "", encoded};
  const std::string whole = encode_reply(reply);

  const ReplyFrames frames = encode_reply_frames(reply);
  REQUIRE(frames.shared);
  CHECK(frames.shared == encoded.bytes);  // the same bytes, not a copy
  CHECK(frames.head.size() < 32);
  CHECK(frames.size() == whole.size());
  // The same bytes as the entries inlined, as a reply of decoded entries is.
  CHECK(frames.head + std::string(*frames.shared).substr(frames.shared_offset) ==
        encode_reply(Reply{8, StatusCode::ok, "", many}));
  const auto joined = decode_reply(whole);
  REQUIRE(joined.ok());
  CHECK(std::get<std::vector<Entry>>(joined.value().payload) == many);

  // Versions 1 and 2: one frame, the same entries.
  for (const std::uint32_t version : {1U, 2U}) {
    const ReplyFrames older = encode_reply_frames(reply, version);
    CHECK_FALSE(older.shared);
    const auto older_decoded = decode_reply(older.head);
    REQUIRE(older_decoded.ok());
    CHECK(std::get<std::vector<Entry>>(older_decoded.value().payload) == many);
  }

  // Few entries: one frame, the copy costs less than another.
  const std::vector<Entry> few(many.begin(), many.begin() + 3);
  CHECK_FALSE(encode_reply_frames(Reply{8, StatusCode::ok, "", encode_entries(few)}).shared);
}

TEST_CASE("an undo answered to a version 2 client carries its entry without tags", "[protocol]") {
  const Reply reply{4, StatusCode::ok, "",
                    Undone{ChangeKind::erase, 1, Entry{3, day("2024-02-29"), "a", false, {"x"}}}};
  const auto decoded = decode_reply(encode_reply(reply, 2));
  REQUIRE(decoded.ok());
  CHECK(std::get<Undone>(decoded.value().payload) ==
        Undone{ChangeKind::erase, 1, Entry{3, day("2024-02-29"), "a", false}});
}

TEST_CASE("a newer protocol version is refused", "[protocol]") {
  std::string request = encode_request(Request{3, Ping{}});
  request[1] = static_cast<char>(kProtocolVersion + 1);
  CHECK_THAT(error_of(decode_request(request)), Catch::Contains("newer"));

  std::string reply = encode_reply(Reply{3, StatusCode::ok, "", std::monostate{}});
  reply[1] = static_cast<char>(kProtocolVersion + 1);
  CHECK_THAT(error_of(decode_reply(reply)), Catch::Contains("newer"));

  const std::string far_future = request_header(3, 0xFFFFFFFF).u8(kCommandPing).str();
  CHECK_THAT(error_of(decode_request(far_future)), Catch::Contains("newer"));

  const std::string version_zero = request_header(3, 0).u8(kCommandPing).str();
  CHECK_THAT(error_of(decode_request(version_zero)), Catch::Contains("version 0"));
}

TEST_CASE("every truncation of a valid message is refused", "[protocol]") {
  for (const Request& request : sample_requests()) {
    const std::string bytes = encode_request(request);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      const auto decoded = decode_request(std::string_view(bytes).substr(0, size));
      if (decoded.ok()) FAIL("a " << size << "-byte prefix of " << describe(request) << " decoded");
      CHECK_THAT(decoded.error().message, Catch::StartsWith("corrupt request: "));
    }
  }
  std::vector<Reply> replies = sample_replies();
  replies.push_back(Reply{77, StatusCode::ok, "", numbered_entries(1000)});
  for (const Reply& reply : replies) {
    const std::string bytes = encode_reply(reply);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      const auto decoded = decode_reply(std::string_view(bytes).substr(0, size));
      if (decoded.ok()) {
        FAIL("a " << size << "-byte prefix of " << describe(reply).substr(0, 200) << " decoded");
      }
      if (decoded.error().message.rfind("corrupt reply: ", 0) != 0) {
        FAIL("unexpected message " << decoded.error().message);
      }
    }
  }
}

TEST_CASE("trailing bytes are refused", "[protocol]") {
  for (const Request& request : sample_requests()) {
    INFO(describe(request));
    CHECK_THAT(error_of(decode_request(encode_request(request) + '\0')),
               Catch::Contains("1 trailing bytes"));
  }
  for (const Reply& reply : sample_replies()) {
    INFO(describe(reply));
    CHECK_THAT(error_of(decode_reply(encode_reply(reply) + "xy")),
               Catch::Contains("2 trailing bytes"));
  }
}

TEST_CASE("list names come in pages of 1 to 1,000; the unpaged request is refused", "[protocol]") {
  const auto page = [](std::uint32_t limit) {
    return decode_request(request_header(1).u8(kCommandListNames).text("a").u32(limit).str());
  };
  CHECK(std::get<ListNames>(page(1).value().command) == ListNames{"a", 1});
  CHECK(std::get<ListNames>(page(1000).value().command) == ListNames{"a", 1000});
  CHECK_THAT(error_of(page(0)), Catch::Contains("1 to 1000 names, not 0"));
  CHECK_THAT(error_of(page(1001)), Catch::Contains("not 1001"));
  CHECK_THAT(error_of(decode_request(request_header(1).u8(kCommandRetiredListNames).str())),
             Catch::Contains("ask for pages of names (command 4)"));
}

TEST_CASE("a page of entries is its own operation, of 1 to 1,000 entries", "[protocol]") {
  GetEntries page;
  page.after = 7;
  page.limit = 20;
  CHECK(encode_request(list_request(5, "bob", page)) == request_header(5)
                                                            .u8(kCommandList)
                                                            .text("bob")
                                                            .u8(kOperationGetPage)
                                                            .u8(0)
                                                            .u64(7)
                                                            .u32(20)
                                                            .str());
  // Unpaged, it is the get of before.
  CHECK(encode_request(list_request(5, "bob", GetEntries{})) ==
        request_header(5).u8(kCommandList).text("bob").u8(kOperationGet).u8(0).str());
  const auto limited = [](std::uint32_t limit) {
    return decode_request(request_header(1)
                              .u8(kCommandList)
                              .text("bob")
                              .u8(kOperationGetPage)
                              .u8(0)
                              .u64(0)
                              .u32(limit)
                              .str());
  };
  CHECK(limited(1000).ok());
  CHECK_THAT(error_of(limited(0)), Catch::Contains("1 to 1000 entries, not 0"));
  CHECK_THAT(error_of(limited(1001)), Catch::Contains("not 1001"));
}

TEST_CASE("a backup names an absolute directory of at most 4096 bytes", "[protocol]") {
  for (const std::string& directory : {std::string(), std::string("backups"), std::string("./b"),
                                       "/" + std::string(4096, 'd'), std::string("/b\0/etc", 7)}) {
    INFO("directory '" << directory << "'");
    const auto decoded = decode_request(request_header(1).u8(9).text(directory).u32(0).str());
    if (decoded.ok()) FAIL("decoded as " << describe(decoded.value()));
    CHECK_THAT(decoded.error().message, Catch::Contains("backup directory"));
  }
}

TEST_CASE("a filtered read is an operation of its own; reads without a filter keep their bytes",
          "[protocol]") {
  const std::int32_t leap_day = day("2024-02-29").days_since_epoch();
  const std::int32_t new_year = day("2024-01-01").days_since_epoch();
  GetEntries get{.date = day("2024-02-29"),
                 .after = 7,
                 .limit = 20,
                 .filter = filter_of({.done = DoneState::pending,
                                      .from = day("2024-01-01"),
                                      .to = std::nullopt,
                                      .search = "milk"})};
  CHECK(encode_request(list_request(5, "bob", get)) == request_header(5)
                                                           .u8(kCommandList)
                                                           .text("bob")
                                                           .u8(kOperationGetFiltered)
                                                           .u8(1)
                                                           .i32(leap_day)
                                                           .u64(7)
                                                           .u32(20)
                                                           .u8(1)
                                                           .u8(1)
                                                           .i32(new_year)
                                                           .u8(0)
                                                           .text("milk")
                                                           .u64(0)  // no tags
                                                           .str());
  get.filter.reset();
  CHECK(encode_request(list_request(5, "bob", get)) == request_header(5)
                                                           .u8(kCommandList)
                                                           .text("bob")
                                                           .u8(kOperationGetPage)
                                                           .u8(1)
                                                           .i32(leap_day)
                                                           .u64(7)
                                                           .u32(20)
                                                           .str());
  // A filtered read in pieces: date?, after, limit, done, from?, to?, search.
  const auto filtered = [](std::uint64_t after, std::uint32_t limit, std::uint8_t done,
                           std::optional<std::int32_t> from, std::optional<std::int32_t> to,
                           const std::string& search) {
    Bytes bytes = request_header(1).u8(kCommandList).text("bob").u8(kOperationGetFiltered).u8(0);
    bytes.u64(after).u32(limit).u8(done).u8(from ? 1 : 0);
    if (from) bytes.i32(*from);
    bytes.u8(to ? 1 : 0);
    if (to) bytes.i32(*to);
    return decode_request(bytes.text(search).u64(0).str());
  };
  const auto decoded = filtered(0, 0, 2, new_year, leap_day, "x");
  REQUIRE(decoded.ok());
  CHECK(describe(decoded.value()) ==
        "id=1 list 'bob' get - filter done=done from=2024-01-01 to=2024-02-29 search='x'");
  CHECK(filtered(3, 1000, 0, std::nullopt, std::nullopt, std::string(1024, 'a')).ok());
  CHECK(filtered(0, 0, 1, leap_day, leap_day, "").ok());
  SECTION("an unknown done state") {
    for (const std::uint8_t done : {3, 0x80, 0xFF}) {
      INFO("done " << int{done});
      CHECK_THAT(error_of(filtered(0, 0, done, std::nullopt, std::nullopt, "")),
                 Catch::Contains("unknown done state"));
    }
  }
  SECTION("from after to") {
    CHECK_THAT(error_of(filtered(0, 0, 0, leap_day, new_year, "")),
               Catch::Contains("2024-02-29 is after 2024-01-01"));
  }
  SECTION("search text over 1 KiB") {
    CHECK_THAT(error_of(filtered(0, 0, 0, std::nullopt, std::nullopt, std::string(1025, 'a'))),
               Catch::Contains("search text length 1025 exceeds the limit of 1024"));
  }
  SECTION("a page over 1,000 entries, or after an id without a page") {
    CHECK_THAT(error_of(filtered(0, 1001, 0, std::nullopt, std::nullopt, "")),
               Catch::Contains("not 1001"));
    CHECK_THAT(error_of(filtered(5, 0, 0, std::nullopt, std::nullopt, "")),
               Catch::Contains("with a limit"));
  }
}

TEST_CASE("unknown tags are refused", "[protocol]") {
  SECTION("command") {
    for (const std::uint8_t tag : {0, 11, 0x80, 0xFF}) {
      INFO("command tag " << int{tag});
      const auto decoded = decode_request(request_header(1).u8(tag).str());
      if (decoded.ok()) FAIL("decoded as " << describe(decoded.value()));
      CHECK_THAT(decoded.error().message, Catch::Contains("command"));
    }
  }
  SECTION("operation") {
    for (const std::uint8_t tag : {0, 11, 0x80, 0xFF}) {
      INFO("operation tag " << int{tag});
      const auto decoded =
          decode_request(request_header(1).u8(kCommandList).text("bob").u8(tag).str());
      if (decoded.ok()) FAIL("decoded as " << describe(decoded.value()));
      CHECK_THAT(decoded.error().message, Catch::Contains("operation"));
    }
  }
  SECTION("payload") {
    for (const std::uint8_t tag : {11, 12, 0x80, 0xFF}) {
      INFO("payload tag " << int{tag});
      CHECK_THAT(error_of(decode_reply(reply_header(1).u8(tag).str())), Catch::Contains("payload"));
    }
  }
  SECTION("status") {
    for (const std::uint8_t status : {5, 0x80, 0xFF}) {
      INFO("status " << int{status});
      CHECK_THAT(error_of(decode_reply(reply_header(1, status, "m").u8(kPayloadNone).str())),
                 Catch::Contains("status"));
    }
  }
  SECTION("update flag bits") {
    for (const std::uint8_t fields : {64, 0x80, 0xFF, 1 | 64}) {
      INFO("update fields " << int{fields});
      const std::string bytes = request_header(1)
                                    .u8(kCommandList)
                                    .text("bob")
                                    .u8(kOperationUpdate)
                                    .u64(7)
                                    .u8(fields)
                                    .i32(0)
                                    .str();
      CHECK_THAT(error_of(decode_request(bytes)), Catch::Contains("update fields"));
    }
    // The tag changes came with version 3.
    for (const std::uint8_t fields : {8, 16, 32}) {
      INFO("update fields " << int{fields} << " in version 2");
      const std::string bytes = request_header(1, 2)
                                    .u8(kCommandList)
                                    .text("bob")
                                    .u8(kOperationUpdate)
                                    .u64(7)
                                    .u8(fields)
                                    .u64(0)
                                    .str();
      CHECK_THAT(error_of(decode_request(bytes)), Catch::Contains("unknown update fields"));
    }
  }
  SECTION("booleans other than 0 and 1") {
    const std::string get =
        request_header(1).u8(kCommandList).text("bob").u8(kOperationGet).u8(2).i32(0).str();
    CHECK_THAT(error_of(decode_request(get)), Catch::Contains("neither 0 nor 1"));
    const std::string done = request_header(1)
                                 .u8(kCommandList)
                                 .text("bob")
                                 .u8(kOperationUpdate)
                                 .u64(7)
                                 .u8(4)
                                 .u8(0xFF)
                                 .str();
    CHECK_THAT(error_of(decode_request(done)), Catch::Contains("neither 0 nor 1"));
    const std::string entry = reply_header(1).u8(kPayloadEntry).u64(1).i32(0).text("t").u8(2).str();
    CHECK_THAT(error_of(decode_reply(entry)), Catch::Contains("neither 0 nor 1"));
  }
  SECTION("dates outside 0001-01-01 .. 9999-12-31") {
    for (const std::int32_t days :
         {kFirstDay - 1, kLastDay + 1, std::numeric_limits<std::int32_t>::min(),
          std::numeric_limits<std::int32_t>::max()}) {
      INFO("days " << days);
      const std::string add = request_header(1)
                                  .u8(kCommandList)
                                  .text("bob")
                                  .u8(kOperationAdd)
                                  .i32(days)
                                  .text("t")
                                  .str();
      CHECK_THAT(error_of(decode_request(add)), Catch::Contains("outside"));
    }
  }
  SECTION("a wrong byte order marker") {
    for (const char marker : {'\0', '\x02', '\xFF'}) {
      std::string bytes = encode_request(Request{1, Ping{}});
      bytes[0] = marker;
      CHECK_THAT(error_of(decode_request(bytes)), Catch::Contains("byte order marker"));
    }
  }
}

TEST_CASE("hostile lengths and counts are refused before allocating", "[protocol]") {
  for (const std::uint64_t hostile : {kHostileCount, kMaxId, std::uint64_t{kMaxRequestBytes} + 1}) {
    INFO("claimed " << hostile);
    CHECK_THAT(error_of(decode_request(request_header(1).u8(kCommandList).u64(hostile).str())),
               Catch::Contains("list name length"));
    CHECK_THAT(error_of(decode_request(request_header(1)
                                           .u8(kCommandList)
                                           .text("bob")
                                           .u8(kOperationAdd)
                                           .i32(0)
                                           .u64(hostile)
                                           .str())),
               Catch::Contains("title length"));
    CHECK_THAT(error_of(decode_request(request_header(1)
                                           .u8(kCommandList)
                                           .text("bob")
                                           .u8(kOperationUpdate)
                                           .u64(7)
                                           .u8(2)
                                           .u64(hostile)
                                           .str())),
               Catch::Contains("title length"));
    Bytes message;
    message.u8(kMarker).u32(kProtocolVersion).u64(1).u8(2).u64(hostile);
    CHECK_THAT(error_of(decode_reply(message.str())), Catch::Contains("message length"));
    CHECK_THAT(error_of(decode_reply(reply_header(1).u8(kPayloadEntries).u64(hostile).str())),
               Catch::Contains("entry count"));
    CHECK_THAT(error_of(decode_reply(reply_header(1).u8(kPayloadNames).u64(hostile).str())),
               Catch::Contains("name count"));
    CHECK_THAT(error_of(decode_reply(reply_header(1).u8(kPayloadPing).u64(hostile).str())),
               Catch::Contains("version length"));
  }
  SECTION("a plausible count that the rest of the message cannot hold") {
    const std::string entries = reply_header(1)
                                    .u8(kPayloadEntries)
                                    .u64(List::kMaxEntries)
                                    .u64(1)
                                    .i32(0)
                                    .text("")
                                    .u8(0)
                                    .str();
    CHECK_THAT(error_of(decode_reply(entries)), Catch::Contains("cannot fit"));
    const std::string names = reply_header(1).u8(kPayloadNames).u64(1000).text("a").str();
    CHECK_THAT(error_of(decode_reply(names)), Catch::Contains("cannot fit"));
    const std::string title =
        request_header(1).u8(kCommandList).text("bob").u8(kOperationAdd).i32(0).u64(100).str() +
        "short";
    CHECK_THAT(error_of(decode_request(title)), Catch::Contains("remain"));
  }
}

TEST_CASE("peek_request_id reads an intact header", "[protocol]") {
  SECTION("the rest may be garbage") {
    const std::string bytes = request_header(0x1122334455667788).str() + "\xFF\xFF garbage";
    CHECK_FALSE(decode_request(bytes).ok());
    CHECK(peek_request_id(bytes) == std::uint64_t{0x1122334455667788});
  }
  SECTION("the version may be unknown") {
    const std::string bytes = request_header(42, 99).u8(kCommandPing).str();
    CHECK_FALSE(decode_request(bytes).ok());
    CHECK(peek_request_id(bytes) == std::uint64_t{42});
  }
  SECTION("the header alone is enough") {
    CHECK(peek_request_id(request_header(kMaxId).str()) == kMaxId);
  }
  SECTION("too short") {
    const std::string header = request_header(42).str();
    for (std::size_t size = 0; size < header.size(); ++size) {
      INFO("size " << size);
      CHECK(peek_request_id(std::string_view(header).substr(0, size)) == std::nullopt);
    }
  }
  SECTION("a wrong first byte") {
    for (const char marker : {'\0', '\x02', '\xFF'}) {
      std::string bytes = encode_request(Request{42, Ping{}});
      bytes[0] = marker;
      CHECK(peek_request_id(bytes) == std::nullopt);
    }
  }
  SECTION("an error reply to a broken request carries its id") {
    const std::string broken = request_header(42).u8(0xFF).str();
    const auto decoded = decode_request(broken);
    REQUIRE_FALSE(decoded.ok());
    const auto reply = decode_reply(
        encode_reply(Reply::failure(peek_request_id(broken).value_or(0), decoded.error())));
    REQUIRE(reply.ok());
    CHECK(reply.value().request_id == 42);
    CHECK(reply.value().status == StatusCode::invalid_argument);
    CHECK_THAT(reply.value().message, Catch::StartsWith("corrupt request: "));
  }
}

// What a fuzz run saw. Whatever decodes must be exactly what the encoder
// writes for the value: the protocol has one encoding per value, so a decoder
// that let a corrupt byte through shows up here.
struct FuzzTally {
  std::size_t decoded = 0;
  std::size_t refused = 0;
  std::size_t not_canonical = 0;
  std::size_t bad_message = 0;
  std::string first_not_canonical;
  std::string first_bad_message;

  template <class Decoded>
  void record(const std::string& bytes, const Result<Decoded>& result, std::string_view prefix) {
    if (!result.ok()) {
      ++refused;
      if (result.error().message.rfind(prefix, 0) != 0 && bad_message++ == 0) {
        first_bad_message = result.error().message;
      }
      return;
    }
    ++decoded;
    std::string again;
    if constexpr (std::is_same_v<Decoded, Request>) {
      again = encode_request(result.value());
    } else {
      again = encode_reply(result.value(), reply_version_for(bytes));
    }
    if (again != bytes && not_canonical++ == 0) {
      first_not_canonical = hex(bytes) + " decoded as " + describe(result.value());
    }
  }

  void require_clean() const {
    INFO("first non-canonical: " << first_not_canonical);
    CHECK(not_canonical == 0);
    INFO("first unexpected message: " << first_bad_message);
    CHECK(bad_message == 0);
  }
};

TEST_CASE("random byte strings decode without crashing", "[protocol][fuzz]") {
  std::mt19937_64 random(20240228);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 64);
  const std::string header = Bytes().u8(kMarker).u32(kProtocolVersion).str();
  FuzzTally requests;
  FuzzTally replies;
  for (int i = 0; i < 100'000; ++i) {
    // Half start with a valid marker and version, to reach past them; small
    // byte values are likelier, as in tags, flags and short lengths.
    std::string bytes = i % 2 == 0 ? header : std::string();
    const std::size_t size = length(random);
    for (std::size_t j = 0; j < size; ++j) {
      const int value = byte(random);
      bytes += static_cast<char>(j % 3 == 0 ? value % 8 : value);
    }
    requests.record(bytes, decode_request(bytes), "corrupt request: ");
    replies.record(bytes, decode_reply(bytes), "corrupt reply: ");
  }
  requests.require_clean();
  replies.require_clean();
  CHECK(requests.refused > 0);
  CHECK(replies.refused > 0);
}

TEST_CASE("single-byte mutations of valid messages decode without crashing", "[protocol][fuzz]") {
  std::mt19937_64 random(19700101);
  std::uniform_int_distribution<int> byte(1, 255);
  const std::vector<Request> requests = sample_requests();
  const std::vector<Reply> replies = sample_replies();
  FuzzTally request_tally;
  FuzzTally reply_tally;
  for (int i = 0; i < 100'000; ++i) {
    std::string bytes = encode_request(requests[random() % requests.size()]);
    const std::size_t position = random() % bytes.size();
    // XOR with 1..255 always changes the byte.
    bytes[position] = static_cast<char>(static_cast<unsigned char>(bytes[position]) ^ byte(random));
    request_tally.record(bytes, decode_request(bytes), "corrupt request: ");
  }
  for (int i = 0; i < 100'000; ++i) {
    std::string bytes = encode_reply(replies[random() % replies.size()]);
    const std::size_t position = random() % bytes.size();
    bytes[position] = static_cast<char>(static_cast<unsigned char>(bytes[position]) ^ byte(random));
    reply_tally.record(bytes, decode_reply(bytes), "corrupt reply: ");
  }
  request_tally.require_clean();
  reply_tally.require_clean();
  // A mutated id, title byte or date still decodes; a mutated length does not.
  CHECK(request_tally.decoded > 0);
  CHECK(request_tally.refused > 0);
  CHECK(reply_tally.decoded > 0);
  CHECK(reply_tally.refused > 0);
}

}  // namespace
}  // namespace todo
