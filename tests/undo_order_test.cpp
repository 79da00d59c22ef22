// Tests for the order of changes across lists (daemon/undo_order.hpp) and
// the stored form of its hints (common/codec.hpp): the newest first, groups
// that finish out of order, renames followed, the bound on what is kept, and
// hints that do not decode.
#include "daemon/undo_order.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace todo {
namespace {

UndoHint steps(std::string list, std::uint64_t first, std::uint64_t last) {
  return {std::move(list), first, last, {}};
}

UndoHint rename(std::string from, std::string to) { return {std::move(from), 0, 0, std::move(to)}; }

void add(UndoOrder& order, const UndoHintGroup& group) {
  order.add({group.number, encode_undo_hint_group(group)});
}

// "list first-last" of each hint, newest first.
std::vector<std::string> shown(const UndoOrder& order) {
  std::vector<std::string> lines;
  for (const UndoHint& hint : order.newest_first()) {
    lines.push_back(hint.list + " " + std::to_string(hint.first_step) + "-" +
                    std::to_string(hint.last_step));
  }
  return lines;
}

}  // namespace

TEST_CASE("the undo order gives the newest group first, in the order numbers say", "[undo]") {
  UndoOrder order({});
  const std::uint64_t first = order.next_number();
  const std::uint64_t second = order.next_number();
  CHECK(second > first);
  // The second group's write finished first.
  add(order, {second, {steps("b", 1, 1), steps("c", 4, 6)}});
  add(order, {first, {steps("a", 2, 3)}});
  CHECK(shown(order) == std::vector<std::string>{"c 4-6", "b 1-1", "a 2-3"});
}

TEST_CASE("the undo order names the list a rename gave the steps to", "[undo]") {
  UndoOrder order({});
  add(order, {order.next_number(), {steps("a", 1, 1)}});
  add(order, {order.next_number(), {rename("a", "b")}});
  add(order, {order.next_number(), {steps("a", 1, 2)}});  // a name used again
  add(order, {order.next_number(), {rename("b", "c")}});
  add(order, {order.next_number(), {steps("c", 2, 2)}});
  CHECK(shown(order) == std::vector<std::string>{"c 2-2", "a 1-2", "c 1-1"});
}

TEST_CASE("the undo order keeps its newest groups, and numbers on from those stored", "[undo]") {
  std::vector<EncodedUndoHintGroup> stored;
  for (std::uint64_t number = 1; number <= UndoOrder::kKeptGroups + 10; ++number) {
    stored.push_back(
        {number, encode_undo_hint_group({number, {steps("l" + std::to_string(number), 1, 1)}})});
  }
  std::swap(stored.front(), stored.back());  // read in key order, not number order
  UndoOrder order(stored);
  const auto hints = shown(order);
  REQUIRE(hints.size() == UndoOrder::kKeptGroups);
  CHECK(hints.front() == "l" + std::to_string(UndoOrder::kKeptGroups + 10) + " 1-1");
  CHECK(hints.back() == "l11 1-1");
  CHECK(order.next_number() == UndoOrder::kKeptGroups + 11);
  // Each worker's ring slot never holds two of the groups kept.
  CHECK(UndoOrder::slot_of(11) != UndoOrder::slot_of(10 + UndoOrder::kKeptGroups));
  CHECK(UndoOrder::slot_of(10) == UndoOrder::slot_of(10 + UndoOrder::kKeptGroups));
}

TEST_CASE("the undo order keeps no more than its bytes allow, and always the newest group",
          "[undo]") {
  UndoOrder order({});
  // Each group about a quarter of the bound: four fit, the fifth pushes out the first.
  const std::string name(200, 'n');
  const std::size_t hints_per_group = UndoOrder::kMaxKeptBytes / 4 / (name.size() + 40);
  const auto group_of = [&](std::uint64_t number) {
    UndoHintGroup group{number, {}};
    for (std::size_t i = 0; i < hints_per_group; ++i)
      group.hints.push_back(steps(name, number, number));
    return encode_undo_hint_group(group);
  };
  for (std::uint64_t number = 1; number <= 5; ++number) order.add({number, group_of(number)});
  auto hints = order.newest_first();
  REQUIRE(hints.size() == 4 * hints_per_group);
  CHECK(hints.front().first_step == 5);
  CHECK(hints.back().first_step == 2);
  // One group over the bound alone is still kept, as the newest.
  UndoHintGroup huge{6, {}};
  for (std::size_t i = 0; i < 5 * hints_per_group; ++i) huge.hints.push_back(steps(name, 6, 6));
  order.add({6, encode_undo_hint_group(huge)});
  hints = order.newest_first();
  CHECK(hints.size() == 5 * hints_per_group);
  CHECK(hints.back().first_step == 6);
}

TEST_CASE("undo hints round trip, and those no write makes are refused", "[undo][codec]") {
  const UndoHintGroup group{42,
                            {steps("home", 3, 5), rename("old name", "new/name"), steps("b", 1, 1),
                             UndoHint::unrecorded_change("c")}};
  auto decoded = decode_undo_hint_group(encode_undo_hint_group(group));
  REQUIRE(decoded);
  CHECK(decoded.value() == group);

  const auto refused = [](UndoHint hint) {
    auto result = decode_undo_hint_group(encode_undo_hint_group({1, {std::move(hint)}}));
    REQUIRE_FALSE(result);
    return result.error().message;
  };
  const std::string neither =
      "corrupt undo hints: an undo hint that names neither steps, nor a rename, nor a change";
  CHECK(refused(steps("a", 0, 3)) == neither);
  CHECK(refused(steps("a", 5, 4)) == neither);
  CHECK(refused({"a", 1, 1, "b"}) == neither);
  CHECK(refused(steps("", 1, 1)).starts_with("corrupt undo hints: "));
  CHECK(refused(rename("a", "bad\nname")).starts_with("corrupt undo hints: "));

  std::string truncated = encode_undo_hint_group(group);
  truncated.pop_back();
  CHECK_FALSE(decode_undo_hint_group(truncated));
}

}  // namespace todo
