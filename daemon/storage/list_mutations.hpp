// The mutations that one group of changes to a list makes, in StorageLayout's
// keys: a put per entry added or changed, an erase per entry deleted, a range
// erase for a drop, and the list's metadata key only where its entries cannot
// tell it.
//
// The metadata rule (layout version 2, storage_layout.hpp): the metadata is
// written when the list goes from empty to not empty or back, and with every
// delete or drop, which may remove the newest id. So an add to a list that
// holds entries, or an update, writes one key. restore_list (list_reader.hpp)
// is the other half: it reads the next id as the larger of the stored one and
// the last entry's id + 1.
//
// Thread safety: a plain value, built on one actor's turn.
#pragma once

#include <string_view>
#include <vector>

#include "common/entry.hpp"
#include "common/list.hpp"
#include "daemon/storage/storage_mutation.hpp"

namespace todo {

class ListMutations {
 public:
  // before: the list as it is before the group's first change.
  // REQUIRES: list_name outlives this.
  ListMutations(std::string_view list_name, const List& before);

  void put_entry(const Entry& entry);
  void erase_entry(EntryId id);
  void erase_all_entries();

  // Everything the group writes, now that it leaves the list as `after`;
  // empty when it changed nothing.
  std::vector<StorageMutation> finish(const List& after) &&;

 private:
  std::string_view list_name_;
  bool was_empty_;
  // Whether an entry left: the newest id may have gone with it.
  bool has_removal_ = false;
  std::vector<StorageMutation> mutations_;
};

}  // namespace todo
