#include "bench/workload.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "day.hpp"

namespace todo::bench {
namespace {

using testing::day;

std::vector<Entry> read_list_entries(std::size_t count) {
  std::vector<Entry> entries;
  for (std::size_t i = 1; i <= count; ++i) {
    entries.push_back({i, day("2026-03-01"), "title number " + std::to_string(i), i % 2 == 0});
  }
  return entries;
}

std::string read_reply(std::size_t count) {
  return encode_reply({99, StatusCode::ok, "", read_list_entries(count)});
}

TEST_CASE("the right answers are taken as right", "[workload]") {
  CHECK(Workload::is_right_reply(encode_reply({5, StatusCode::ok, "", EntryId{42}}), false));
  CHECK(Workload::is_right_reply(read_reply(Workload::kEntriesPerReadList), true));
  // What the echo server sends.
  CHECK(Workload::is_right_reply(Workload::echo_reply(false), false));
  CHECK(Workload::is_right_reply(Workload::echo_reply(true), true));
}

TEST_CASE("a wrong answer is not taken as right", "[workload]") {
  const std::string add = encode_reply({5, StatusCode::ok, "", EntryId{42}});
  const std::string read = read_reply(Workload::kEntriesPerReadList);
  // Answers of the other kind, or not ok.
  CHECK_FALSE(Workload::is_right_reply(read, false));
  CHECK_FALSE(Workload::is_right_reply(add, true));
  CHECK_FALSE(Workload::is_right_reply(
      encode_reply(Reply::failure(5, Error::busy("todod already has 1 request"))), false));
  CHECK_FALSE(
      Workload::is_right_reply(encode_reply({5, StatusCode::ok, "", std::monostate{}}), false));
  // A read with one entry too few or too many.
  CHECK_FALSE(Workload::is_right_reply(read_reply(Workload::kEntriesPerReadList - 1), true));
  CHECK_FALSE(Workload::is_right_reply(read_reply(Workload::kEntriesPerReadList + 1), true));
  // Cut short anywhere, or with a byte too many.
  for (std::size_t size = 0; size < read.size(); size += 7) {
    INFO("cut to " << size << " bytes");
    CHECK_FALSE(Workload::is_right_reply(read.substr(0, size), true));
  }
  for (std::size_t size = 0; size < add.size(); ++size) {
    CHECK_FALSE(Workload::is_right_reply(add.substr(0, size), false));
  }
  CHECK_FALSE(Workload::is_right_reply(read + '\0', true));
  CHECK_FALSE(Workload::is_right_reply(add + '\0', false));
  // A done flag that is neither 0 nor 1 (the last byte is the last entry's).
  std::string bad_done = read;
  bad_done.back() = 2;
  CHECK_FALSE(Workload::is_right_reply(bad_done, true));
}

}  // namespace
}  // namespace todo::bench
