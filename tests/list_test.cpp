#include "common/list.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "day.hpp"
#include "rejection.hpp"

namespace todo {
namespace {

using testing::day;
using testing::rejection;

std::vector<std::string> titles(const std::vector<Entry>& entries) {
  std::vector<std::string> found;
  for (const Entry& entry : entries) found.push_back(entry.title);
  return found;
}

std::vector<EntryId> ids(const std::vector<Entry>& entries) {
  std::vector<EntryId> found;
  for (const Entry& entry : entries) found.push_back(entry.id);
  return found;
}

EntryId add(List& list, std::string_view date, std::string title) {
  auto added = list.add_entry(day(date), std::move(title));
  REQUIRE(added.ok());
  return added.value();
}

EntryChange new_date(Date date) {
  EntryChange change;
  change.date = date;
  return change;
}

EntryChange new_title(std::string title) {
  EntryChange change;
  change.title = std::move(title);
  return change;
}

EntryChange new_done(bool done) {
  EntryChange change;
  change.done = done;
  return change;
}

// Dentist and Movies on the 19th, Shopping on the 20th.
List bobs_list() {
  List list("bob");
  REQUIRE(add(list, "2018-12-19", "Dentist") == 1);
  REQUIRE(add(list, "2018-12-20", "Shopping") == 2);
  REQUIRE(add(list, "2018-12-19", "Movies") == 3);
  return list;
}

TEST_CASE("a new list is empty") {
  const List list("bob");
  CHECK(list.name() == "bob");
  CHECK(list.size() == 0);
  CHECK(list.empty());
  CHECK(list.next_id() == 1);
  CHECK(list.entries().empty());
  CHECK(list.entries(day("2018-12-19")).empty());
  CHECK(list.find_entry(1) == nullptr);
  CHECK_FALSE(list.has_entry(1));
}

TEST_CASE("entries are found by date, in id order") {
  const List list = bobs_list();
  CHECK(list.size() == 3);
  CHECK_FALSE(list.empty());
  CHECK(list.next_id() == 4);

  const std::vector<Entry> nineteenth = list.entries(day("2018-12-19"));
  CHECK(nineteenth.size() == 2);
  CHECK(titles(nineteenth) == std::vector<std::string>{"Dentist", "Movies"});
  CHECK(ids(nineteenth) == std::vector<EntryId>{1, 3});
  CHECK(titles(list.entries(day("2018-12-20"))) == std::vector<std::string>{"Shopping"});
  CHECK(list.entries(day("2018-12-21")).empty());

  CHECK(ids(list.entries()) == std::vector<EntryId>{1, 2, 3});
  CHECK(list.entries()[1] == Entry{2, day("2018-12-20"), "Shopping", false});
}

TEST_CASE("a page of entries: ids above after, at most limit, of the date if given") {
  const List list = bobs_list();
  CHECK(ids(list.entries_after(0, 2, std::nullopt)) == std::vector<EntryId>{1, 2});
  CHECK(ids(list.entries_after(2, 2, std::nullopt)) == std::vector<EntryId>{3});
  CHECK(list.entries_after(3, 2, std::nullopt).empty());
  // The date filters; the limit counts what the page holds.
  CHECK(ids(list.entries_after(0, 1, day("2018-12-19"))) == std::vector<EntryId>{1});
  CHECK(ids(list.entries_after(1, 5, day("2018-12-19"))) == std::vector<EntryId>{3});
}

// Six entries over three days, 2 and 5 done: ids 1 to 6.
List filtered_list() {
  List list("bob");
  add(list, "2018-12-18", "Buy milk");
  add(list, "2018-12-19", "Dentist");
  add(list, "2018-12-19", "MILKshake with Ann");
  add(list, "2018-12-20", "Gym");
  add(list, "2018-12-20", "Oat milk");
  add(list, "2018-12-21", "Caf\xC3\xA9 with Ann");
  REQUIRE(list.update_entry(2, new_done(true)).ok());
  REQUIRE(list.update_entry(5, new_done(true)).ok());
  return list;
}

std::vector<EntryId> matching(const List& list, const EntryFilter& filter, EntryId after = 0,
                              std::size_t limit = List::kMaxEntries,
                              std::optional<Date> date = std::nullopt) {
  return ids(list.entries_after(after, limit, date, &filter));
}

TEST_CASE("a filter chooses entries by done state") {
  const List list = filtered_list();
  CHECK(matching(list, EntryFilter{}) == std::vector<EntryId>{1, 2, 3, 4, 5, 6});
  CHECK(matching(list, EntryFilter{.done = DoneState::pending}) ==
        std::vector<EntryId>{1, 3, 4, 6});
  CHECK(matching(list, EntryFilter{.done = DoneState::done}) == std::vector<EntryId>{2, 5});
}

TEST_CASE("a filter chooses entries by a range of dates that includes both ends") {
  const List list = filtered_list();
  EntryFilter filter;
  filter.from = day("2018-12-19");
  CHECK(matching(list, filter) == std::vector<EntryId>{2, 3, 4, 5, 6});
  filter.to = day("2018-12-20");
  CHECK(matching(list, filter) == std::vector<EntryId>{2, 3, 4, 5});
  filter.from.reset();
  CHECK(matching(list, filter) == std::vector<EntryId>{1, 2, 3, 4, 5});
  filter.from = day("2018-12-20");
  CHECK(matching(list, filter) == std::vector<EntryId>{4, 5});
  // The one date of GetEntries::date narrows the range further.
  CHECK(matching(list, filter, 0, 10, day("2018-12-19")).empty());
}

TEST_CASE("a filter's search ignores ASCII case and compares other bytes as they are") {
  const List list = filtered_list();
  CHECK(matching(list, EntryFilter{.search = "milk"}) == std::vector<EntryId>{1, 3, 5});
  CHECK(matching(list, EntryFilter{.search = "MiLk"}) == std::vector<EntryId>{1, 3, 5});
  CHECK(matching(list, EntryFilter{.search = "with ann"}) == std::vector<EntryId>{3, 6});
  CHECK(matching(list, EntryFilter{.search = "caf\xC3\xA9"}) == std::vector<EntryId>{6});
  // Not Unicode case folding: É is not é.
  CHECK(matching(list, EntryFilter{.search = "CAF\xC3\x89"}).empty());
  CHECK(matching(list, EntryFilter{.search = "milkshakes"}).empty());
}

TEST_CASE("filters combine and a page holds up to limit matching entries") {
  const List list = filtered_list();
  const EntryFilter pending_milk{.done = DoneState::pending, .search = "milk"};
  CHECK(matching(list, pending_milk) == std::vector<EntryId>{1, 3});
  const EntryFilter pending{.done = DoneState::pending};
  // 1 3 4 6 match: entries that do not match do not count towards a page.
  CHECK(matching(list, pending, 0, 2) == std::vector<EntryId>{1, 3});
  CHECK(matching(list, pending, 3, 2) == std::vector<EntryId>{4, 6});
  CHECK(matching(list, pending, 6, 2).empty());
  CHECK(matching(list, pending, 1, 1) == std::vector<EntryId>{3});
}

TEST_CASE("a filter with from after to or too long a search is refused") {
  EntryFilter filter{.from = day("2018-12-20"), .to = day("2018-12-19")};
  CHECK_THAT(rejection(validate_entry_filter(filter)),
             Catch::Contains("2018-12-20 is after 2018-12-19"));
  filter.to = filter.from;
  CHECK(validate_entry_filter(filter).ok());
  filter.search = std::string(EntryFilter::kMaxSearchBytes, 'a');
  CHECK(validate_entry_filter(filter).ok());
  filter.search += 'a';
  CHECK_THAT(rejection(validate_entry_filter(filter)), Catch::Contains("more than 1024"));
}

TEST_CASE("find_entry finds exactly the entries the list holds") {
  List list = bobs_list();
  add(list, "2018-12-21", "Gym");
  add(list, "2018-12-22", "Laundry");
  REQUIRE(list.delete_entry(2).ok());
  REQUIRE(list.delete_entry(4).ok());

  for (const EntryId id : {1, 3, 5}) {
    INFO("id " << id);
    REQUIRE(list.find_entry(id) != nullptr);
    CHECK(list.find_entry(id)->id == id);
    CHECK(list.has_entry(id));
  }
  for (const EntryId id : {0, 2, 4, 6, 1000}) {
    INFO("id " << id);
    CHECK(list.find_entry(id) == nullptr);
    CHECK_FALSE(list.has_entry(id));
  }
  CHECK(list.find_entry(3)->title == "Movies");
}

TEST_CASE("update_entry changes the fields it is given") {
  List list = bobs_list();
  const Entry dentist = *list.find_entry(1);
  const Entry movies = *list.find_entry(3);

  SECTION("date alone") {
    const auto updated = list.update_entry(2, new_date(day("2018-12-21")));
    REQUIRE(updated.ok());
    const Entry expected{2, day("2018-12-21"), "Shopping", false};
    CHECK(updated.value() == expected);
    CHECK(*list.find_entry(2) == expected);
    CHECK(list.entries(day("2018-12-20")).empty());
    CHECK(titles(list.entries(day("2018-12-21"))) == std::vector<std::string>{"Shopping"});
  }
  SECTION("title alone") {
    const auto updated = list.update_entry(2, new_title("Groceries"));
    REQUIRE(updated.ok());
    const Entry expected{2, day("2018-12-20"), "Groceries", false};
    CHECK(updated.value() == expected);
    CHECK(*list.find_entry(2) == expected);
  }
  SECTION("done alone, and back") {
    const auto done = list.update_entry(2, new_done(true));
    REQUIRE(done.ok());
    CHECK(done.value() == Entry{2, day("2018-12-20"), "Shopping", true});
    CHECK(list.find_entry(2)->done);
    const auto undone = list.update_entry(2, new_done(false));
    REQUIRE(undone.ok());
    CHECK_FALSE(list.find_entry(2)->done);
  }
  SECTION("all together") {
    const auto updated = list.update_entry(2, EntryChange{day("2018-12-19"), "Groceries", true});
    REQUIRE(updated.ok());
    const Entry expected{2, day("2018-12-19"), "Groceries", true};
    CHECK(updated.value() == expected);
    CHECK(*list.find_entry(2) == expected);
    CHECK(titles(list.entries(day("2018-12-19"))) ==
          std::vector<std::string>{"Dentist", "Groceries", "Movies"});
  }
  SECTION("nothing") {
    const auto updated = list.update_entry(2, {});
    REQUIRE(updated.ok());
    CHECK(updated.value() == Entry{2, day("2018-12-20"), "Shopping", false});
  }
  CHECK(list.size() == 3);
  CHECK(list.next_id() == 4);
  CHECK(*list.find_entry(1) == dentist);
  CHECK(*list.find_entry(3) == movies);
}

TEST_CASE("delete_entry removes one entry") {
  List list = bobs_list();
  REQUIRE(list.delete_entry(2).ok());
  CHECK(list.size() == 2);
  CHECK_FALSE(list.has_entry(2));
  CHECK(ids(list.entries()) == std::vector<EntryId>{1, 3});
  CHECK(list.entries(day("2018-12-20")).empty());
  CHECK(titles(list.entries(day("2018-12-19"))) == std::vector<std::string>{"Dentist", "Movies"});
  CHECK(rejection(list.delete_entry(2)) == "not found: no entry 2 in list 'bob'");
}

TEST_CASE("ids are never reused after a delete") {
  List list = bobs_list();
  SECTION("deleting the last entry") {
    REQUIRE(list.delete_entry(3).ok());
    CHECK(list.next_id() == 4);
    CHECK(add(list, "2018-12-21", "Gym") == 4);
  }
  SECTION("deleting every entry") {
    for (const EntryId id : {1, 2, 3}) REQUIRE(list.delete_entry(id).ok());
    CHECK(list.empty());
    CHECK(add(list, "2018-12-21", "Gym") == 4);
    CHECK(ids(list.entries()) == std::vector<EntryId>{4});
  }
  CHECK_FALSE(list.has_entry(3));
  CHECK(list.find_entry(4)->title == "Gym");
}

TEST_CASE("an unknown id is not found and changes nothing") {
  List list = bobs_list();
  const List before = list;
  CHECK(rejection(list.update_entry(7, new_title("Gym"))) == "not found: no entry 7 in list 'bob'");
  CHECK(rejection(list.delete_entry(7)) == "not found: no entry 7 in list 'bob'");
  CHECK(rejection(list.update_entry(0, new_done(true))) == "not found: no entry 0 in list 'bob'");
  CHECK(rejection(list.delete_entry(4)) == "not found: no entry 4 in list 'bob'");
  CHECK(list == before);
}

TEST_CASE("add_entry refuses an invalid title, naming the list") {
  List list = bobs_list();
  const List before = list;
  const Date date = day("2018-12-21");
  CHECK(rejection(list.add_entry(date, "")) ==
        "invalid argument: invalid title for list 'bob': title is empty");
  CHECK(rejection(list.add_entry(date, std::string(4097, 'a'))) ==
        "invalid argument: invalid title for list 'bob': title is 4097 bytes, more than 4096");
  CHECK(rejection(list.add_entry(date, "Gym\nat 6")) ==
        "invalid argument: invalid title for list 'bob': title contains control character "
        "U+000A at byte 3");
  CHECK(rejection(list.add_entry(date, std::string("a\0b", 3))) ==
        "invalid argument: invalid title for list 'bob': title contains control character "
        "U+0000 at byte 1");
  CHECK(rejection(list.add_entry(date, "a\x7f")) ==
        "invalid argument: invalid title for list 'bob': title contains control character "
        "U+007F at byte 1");
  CHECK(rejection(list.add_entry(date, "\xC2\x85")) ==
        "invalid argument: invalid title for list 'bob': title contains control character "
        "U+0085 at byte 0");
  CHECK(rejection(list.add_entry(date, "ab\xC0\xAF")) ==
        "invalid argument: invalid title for list 'bob': title is not valid UTF-8 at byte 2");
  CHECK(list == before);
  // A refused add does not use up an id.
  CHECK(add(list, "2018-12-21", std::string(4096, 'a')) == 4);
  CHECK(add(list, "2018-12-21", "Gym\tat 6") == 5);
}

TEST_CASE("update_entry refuses an invalid title and then changes nothing") {
  List list = bobs_list();
  const List before = list;
  CHECK(rejection(list.update_entry(2, new_title(""))) ==
        "invalid argument: invalid title for entry 2 in list 'bob': title is empty");
  CHECK(rejection(list.update_entry(2, new_title(std::string(4097, 'a')))) ==
        "invalid argument: invalid title for entry 2 in list 'bob': title is 4097 bytes, more "
        "than 4096");
  CHECK(rejection(list.update_entry(2, new_title("\x80"))) ==
        "invalid argument: invalid title for entry 2 in list 'bob': title is not valid UTF-8 at "
        "byte 0");
  CHECK(rejection(list.update_entry(2, EntryChange{day("2018-12-25"), "Gym\nat 6", true})) ==
        "invalid argument: invalid title for entry 2 in list 'bob': title contains control "
        "character U+000A at byte 3");
  CHECK(list == before);
  CHECK(*list.find_entry(2) == Entry{2, day("2018-12-20"), "Shopping", false});
}

TEST_CASE("a list holds at most 100,000 entries") {
  List list("bob");
  const Date date = day("2018-12-19");
  for (std::size_t i = 0; i < List::kMaxEntries; ++i) {
    if (!list.add_entry(date, "Entry").ok()) FAIL("add " << i << " refused");
  }
  REQUIRE(list.size() == 100'000);
  CHECK(rejection(list.add_entry(date, "One more")) ==
        "invalid argument: list 'bob' is full: it holds 100000 entries, the most a list may hold");
  CHECK(list.size() == 100'000);
  CHECK(list.next_id() == 100'001);
  CHECK_FALSE(list.has_entry(100'001));

  // Room again after a delete, with a fresh id.
  REQUIRE(list.delete_entry(50'000).ok());
  CHECK(add(list, "2018-12-20", "One more") == 100'001);
  CHECK(list.size() == 100'000);
  CHECK(list.entries().back().title == "One more");
}

TEST_CASE("restore rebuilds the list it was given") {
  List list = bobs_list();
  REQUIRE(list.delete_entry(3).ok());
  REQUIRE(list.update_entry(1, new_done(true)).ok());

  const auto restored = List::restore(list.name(), list.next_id(), list.entries());
  REQUIRE(restored.ok());
  CHECK(restored.value() == list);

  List copy = restored.value();
  CHECK(add(copy, "2018-12-21", "Gym") == 4);
  CHECK(add(list, "2018-12-21", "Gym") == 4);
  CHECK(copy == list);
}

TEST_CASE("restore keeps a next id above every entry") {
  const auto restored = List::restore("bob", 10, {Entry{3, day("2018-12-19"), "Dentist", false}});
  REQUIRE(restored.ok());
  List list = restored.value();
  CHECK(list.next_id() == 10);
  CHECK(add(list, "2018-12-20", "Shopping") == 10);
  CHECK(ids(list.entries()) == std::vector<EntryId>{3, 10});

  const auto empty = List::restore("bob", 1, {});
  REQUIRE(empty.ok());
  CHECK(empty.value() == List("bob"));
}

TEST_CASE("restore accepts exactly 100,000 entries") {
  std::vector<Entry> entries;
  for (EntryId id = 1; id <= List::kMaxEntries; ++id)
    entries.push_back({id, Date(), "Entry", false});
  const auto restored = List::restore("bob", List::kMaxEntries + 1, entries);
  REQUIRE(restored.ok());
  CHECK(restored.value().size() == 100'000);

  entries.push_back({List::kMaxEntries + 1, Date(), "Entry", false});
  CHECK(rejection(List::restore("bob", List::kMaxEntries + 2, entries)) ==
        "internal error: stored list 'bob' is corrupt: it holds 100001 entries, more than 100000");
}

TEST_CASE("restore refuses parts that break an invariant, naming the list") {
  const Date date = day("2018-12-19");
  const auto entry = [date](EntryId id, std::string title = "Entry") {
    return Entry{id, date, std::move(title), false};
  };
  CHECK(rejection(List::restore("bob", 4, {entry(2), entry(1)})) ==
        "internal error: stored list 'bob' is corrupt: entry ids out of order");
  CHECK(rejection(List::restore("bob", 4, {entry(1), entry(3), entry(2)})) ==
        "internal error: stored list 'bob' is corrupt: entry ids out of order");
  CHECK(rejection(List::restore("bob", 4, {entry(1), entry(1)})) ==
        "internal error: stored list 'bob' is corrupt: entry ids out of order");
  CHECK(rejection(List::restore("bob", 4, {entry(0)})) ==
        "internal error: stored list 'bob' is corrupt: an entry has id 0");
  CHECK(rejection(List::restore("bob", 3, {entry(1), entry(3)})) ==
        "internal error: stored list 'bob' is corrupt: entry 3 is not below the next id 3");
  CHECK(rejection(List::restore("bob", 3, {entry(1), entry(7)})) ==
        "internal error: stored list 'bob' is corrupt: entry 7 is not below the next id 3");
  CHECK(rejection(List::restore("bob", 0, {})) ==
        "internal error: stored list 'bob' is corrupt: next id is 0");
  CHECK(rejection(List::restore("bob", 4, {entry(1), entry(2, "")})) ==
        "internal error: stored list 'bob' is corrupt: entry 2: title is empty");
  CHECK(rejection(List::restore("bob", 4, {entry(1, "a\nb")})) ==
        "internal error: stored list 'bob' is corrupt: entry 1: title contains control character "
        "U+000A at byte 1");
  CHECK(
      rejection(List::restore("bob", 4, {entry(1, "\xFF")})) ==
      "internal error: stored list 'bob' is corrupt: entry 1: title is not valid UTF-8 at byte 0");
  CHECK(rejection(List::restore("", 1, {})) ==
        "internal error: stored list '' is corrupt: invalid name: list name is empty");
  CHECK(rejection(List::restore("b\nb", 1, {})) ==
        "internal error: stored list 'b\\x0Ab' is corrupt: invalid name: list name contains "
        "control character U+000A at byte 1");
}

TEST_CASE("a list whose ids ran out refuses to add") {
  const EntryId last_id = std::numeric_limits<EntryId>::max();
  auto restored =
      List::restore("bob", last_id, {Entry{last_id - 1, day("2018-12-19"), "Old", false}});
  REQUIRE(restored.ok());
  List list = restored.value();
  const List before = list;
  CHECK(rejection(list.add_entry(day("2018-12-20"), "New")) ==
        "invalid argument: list 'bob' has handed out every id");
  CHECK(list == before);
}

TEST_CASE("put_back restores an entry in place or in id order, and refuses what no change left") {
  List list("bob");
  for (const char* title : {"One", "Two", "Three"})
    REQUIRE(list.add_entry(day("2026-12-02"), title));
  REQUIRE(list.delete_entry(2));
  const Entry two{2, day("2026-12-03"), "Two", true, {"home"}};
  REQUIRE(list.put_back(two));
  CHECK(list.entries().at(1) == two);
  const Entry first_again{1, day("2026-12-01"), "One again", false};
  REQUIRE(list.put_back(first_again));
  CHECK(list.entries() ==
        std::vector<Entry>{first_again, two, Entry{3, day("2026-12-02"), "Three", false}});
  CHECK(list.size() == 3);

  const List before = list;
  CHECK(rejection(list.put_back(Entry{4, day("2026-12-02"), "Never added", false})) ==
        "invalid argument: list 'bob' never handed out id 4");
  CHECK(rejection(list.put_back(Entry{0, day("2026-12-02"), "Zero", false})) ==
        "invalid argument: list 'bob' never handed out id 0");
  CHECK(rejection(list.put_back(Entry{2, day("2026-12-02"), "", false}))
            .starts_with("invalid argument: invalid title for list 'bob': "));
  CHECK(rejection(list.put_back(Entry{2, day("2026-12-02"), "Two", false, {"b", "a"}})) ==
        "invalid argument: tags of entry 2 in list 'bob' are not normalized");
  CHECK(list == before);
  CHECK(list.take_all_entries().size() == 3);
  CHECK(list.size() == 0);
  CHECK(list.next_id() == 4);
}

}  // namespace
}  // namespace todo
