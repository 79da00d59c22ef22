// Tests for tags (common/tags.hpp): what a tag may be, how an entry keeps
// them, how an update changes them, the +TAG words of an added title, and the
// filter by tag; and the list (common/list.hpp) that applies them.
#include "common/tags.hpp"

#include <catch2/catch.hpp>

#include "common/entry_filter.hpp"
#include "common/list.hpp"
#include "common/validation.hpp"
#include "day.hpp"

namespace todo {
namespace {

using testing::day;

std::string error_of(const Result<Tags>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

TEST_CASE("a tag is one word of at most 64 bytes, not starting with + or -", "[tags]") {
  CHECK(validate_tag("work"));
  CHECK(validate_tag("2026"));
  CHECK(validate_tag("caf\xC3\xA9/ü:x.y_z-w"));
  CHECK(validate_tag(std::string(64, 't')));
  CHECK(validate_tag(std::string(65, 't')).error().message == "tag is 65 bytes, more than 64");
  CHECK(validate_tag("").error().message == "tag is empty");
  CHECK(validate_tag("two words").error().message ==
        "tag 'two words' contains a space at byte 3: a tag is one word");
  CHECK(validate_tag("a,b").error().message ==
        "tag 'a,b' contains a comma at byte 1: a tag is one word");
  CHECK(validate_tag("+x").error().message ==
        "tag '+x' starts with '+': write the word without it");
  CHECK(validate_tag("-x").error().message ==
        "tag '-x' starts with '-': write the word without it");
  CHECK(validate_tag("a\tb").error().message == "tag contains control character U+0009 at byte 1");
  CHECK(validate_tag("\xC3").error().message == "tag is not valid UTF-8 at byte 0");
}

TEST_CASE("tags are kept sorted, each once, at most 32", "[tags]") {
  CHECK(normalized_tags({"work", "home", "work", "Home"}).value() == Tags{"Home", "home", "work"});
  CHECK(normalized_tags({}).value().empty());
  Tags many;
  for (int i = 0; i < 33; ++i) many.push_back("t" + std::to_string(i));
  CHECK(error_of(normalized_tags(many)) == "an entry carries at most 32 tags, not 33");
  many.pop_back();
  CHECK(normalized_tags(many).value().size() == 32);
  CHECK(error_of(normalized_tags({"ok", "not ok"})).starts_with("tag 'not ok' contains a space"));
  CHECK(has_tag(Tags{"a", "b"}, "b"));
  CHECK_FALSE(has_tag(Tags{"a", "b"}, "B"));
  CHECK(has_every_tag(Tags{"a", "b", "c"}, Tags{"c", "a"}));
  CHECK_FALSE(has_every_tag(Tags{"a", "c"}, Tags{"a", "b"}));
  CHECK(has_every_tag(Tags{}, Tags{}));
}

TEST_CASE("a tag change replaces, then adds, then removes", "[tags]") {
  const Tags current{"home", "work"};
  CHECK(apply_tag_change({std::nullopt, {"urgent"}, {}}, current).value() ==
        Tags{"home", "urgent", "work"});
  CHECK(apply_tag_change({std::nullopt, {}, {"home", "absent"}}, current).value() == Tags{"work"});
  CHECK(apply_tag_change({Tags{"x"}, {"y"}, {"x"}}, current).value() == Tags{"y"});
  CHECK(apply_tag_change({Tags{}, {}, {}}, current).value().empty());
  CHECK(apply_tag_change({std::nullopt, {"work"}, {}}, current).value() == current);
  CHECK(error_of(apply_tag_change({std::nullopt, {"bad tag"}, {}}, current))
            .starts_with("tag 'bad tag'"));
  CHECK(error_of(apply_tag_change({std::nullopt, {}, {"-x"}}, current)).starts_with("tag '-x'"));
}

TEST_CASE("a +TAG word of a title is a tag unless it starts with a digit", "[tags]") {
  CHECK(tag_of_word("+work") == "work");
  CHECK(tag_of_word("+café") == "café");
  CHECK_FALSE(tag_of_word("+3d"));
  CHECK_FALSE(tag_of_word("+5"));
  CHECK_FALSE(tag_of_word("+"));
  CHECK_FALSE(tag_of_word("++x"));
  CHECK_FALSE(tag_of_word("+-x"));
  CHECK_FALSE(tag_of_word("work"));
  CHECK_FALSE(tag_of_word("C++"));
  CHECK_FALSE(tag_of_word("+a,b"));
}

TEST_CASE("a list keeps an entry's tags and refuses bad ones without changing", "[tags][list]") {
  List list("bob");
  REQUIRE(list.add_entry(day("2026-12-04"), "Report", {"work", "q4", "work"}).value() == 1);
  CHECK(list.find_entry(1)->tags == Tags{"q4", "work"});
  const auto refused = list.add_entry(day("2026-12-04"), "Bad", {"no good"});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.starts_with("invalid tags for list 'bob': tag 'no good'"));
  CHECK(list.size() == 1);
  CHECK(list.next_id() == 2);

  EntryChange change;
  change.title = "Report v2";
  change.tags = std::make_shared<const TagChange>(TagChange{std::nullopt, {"urgent"}, {"q4"}});
  CHECK(list.update_entry(1, change).value().tags == Tags{"urgent", "work"});
  // A refused tag change leaves the whole entry as it was, title included.
  EntryChange bad;
  bad.title = "Changed";
  bad.tags = std::make_shared<const TagChange>(TagChange{std::nullopt, {"+x"}, {}});
  CHECK_FALSE(list.update_entry(1, bad).ok());
  CHECK(list.find_entry(1)->title == "Report v2");
  CHECK(list.find_entry(1)->tags == Tags{"urgent", "work"});

  // Stored tags out of order mean damaged storage.
  auto restored = List::restore("bob", 3, {Entry{1, day("2026-12-04"), "x", false, {"b", "a"}}});
  REQUIRE_FALSE(restored.ok());
  CHECK(restored.error().message ==
        "stored list 'bob' is corrupt: entry 1: tags out of order or repeated");
}

TEST_CASE("a filter by tags matches entries that carry every one", "[tags][filter]") {
  const Entry both{1, day("2026-12-04"), "x", false, {"home", "work"}};
  const Entry one{2, day("2026-12-04"), "y", false, {"work"}};
  const Entry none{3, day("2026-12-04"), "z", false};
  EntryFilter filter;
  filter.tags = {"work"};
  CHECK(matches(filter, both));
  CHECK(matches(filter, one));
  CHECK_FALSE(matches(filter, none));
  filter.tags = {"work", "home"};
  CHECK(matches(filter, both));
  CHECK_FALSE(matches(filter, one));
  filter.tags = {"Work"};
  CHECK_FALSE(matches(filter, both));
  filter.tags = {"bad tag"};
  CHECK(validate_entry_filter(filter).error().message.starts_with("tag 'bad tag'"));
}

}  // namespace
}  // namespace todo
