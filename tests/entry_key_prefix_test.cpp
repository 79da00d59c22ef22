#include "daemon/storage/entry_key_prefix.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "daemon/storage/storage_layout.hpp"

namespace todo {
namespace {

std::string prefix_of(const EntryKeyPrefix& prefix, const std::string& key) {
  REQUIRE(prefix.InDomain(key));
  return prefix.Transform(key).ToString();
}

TEST_CASE("every entry key of a list has that list's entry prefix", "[entry_key_prefix]") {
  const EntryKeyPrefix prefix;
  for (const std::string& name :
       {std::string("a"), std::string("bob"), std::string("bobby"), std::string(255, 'z')}) {
    INFO(name);
    for (const EntryId id : {EntryId{1}, EntryId{2}, EntryId{255}, EntryId{256}, ~EntryId{0}}) {
      CHECK(prefix_of(prefix, StorageLayout::entry_key(name, id)) ==
            StorageLayout::entry_prefix(name));
    }
  }
  // A name that begins another is still a list of its own.
  CHECK(prefix_of(prefix, StorageLayout::entry_key("bob", 1)) !=
        prefix_of(prefix, StorageLayout::entry_key("bobby", 1)));
}

TEST_CASE("metadata and format keys get no insert hint", "[entry_key_prefix]") {
  const EntryKeyPrefix prefix;
  CHECK_FALSE(prefix.InDomain(StorageLayout::meta_key("bob")));
  CHECK_FALSE(prefix.InDomain(StorageLayout::meta_key(std::string(255, 'e'))));
  CHECK_FALSE(prefix.InDomain(std::string(StorageLayout::kFormatKey)));
  CHECK_FALSE(prefix.InDomain(""));
}

TEST_CASE("the bounds of a drop's range deletion get no insert hint", "[entry_key_prefix]") {
  const EntryKeyPrefix prefix;
  for (const std::string& name :
       {std::string("bob"), std::string(9, 'x'), std::string(10, 'x'), std::string(255, 'z')}) {
    INFO(name);
    CHECK_FALSE(prefix.InDomain(StorageLayout::entry_prefix(name)));
    CHECK_FALSE(prefix.InDomain(StorageLayout::entry_prefix_end(name)));
  }
}

}  // namespace
}  // namespace todo
