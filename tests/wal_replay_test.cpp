#include "daemon/storage/wal_replay.hpp"

#include <catch2/catch.hpp>

namespace todo {

// Offsets as RocksDB's log writer (db/log_writer.cc) lays records out: 32 KiB
// blocks, a 7-byte header per fragment.
TEST_CASE("a record's end follows the log writer's blocks, headers and padding", "[wal]") {
  CHECK(WalReplay::record_end(0, 10) == 17);
  // Exactly a header and the payload left in the block: no padding.
  CHECK(WalReplay::record_end(32768 - 7 - 3, 3) == 32768);
  // Exactly a header left: an empty first fragment, then the rest.
  CHECK(WalReplay::record_end(32768 - 7, 0) == 32768);
  CHECK(WalReplay::record_end(32768 - 7, 5) == 32768 + 7 + 5);
  // Fewer than a header left: padded to the block's end.
  CHECK(WalReplay::record_end(32768 - 6, 5) == 32768 + 7 + 5);
  // Over two blocks: a first fragment filling the first, the rest after a header.
  CHECK(WalReplay::record_end(0, 40000) == 7 + 32761 + 7 + (40000 - 32761));
  // Over three.
  CHECK(WalReplay::record_end(100, 70000) == 2 * 32768 + 7 + (70000 - (32768 - 107) - 32761));
}

}  // namespace todo
