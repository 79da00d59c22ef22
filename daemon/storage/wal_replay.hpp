// How far RocksDB's replay of the write-ahead logs got at open, and from it
// where a log is damaged when the open fails.
//
// The data directory is opened with WALRecoveryMode::kTolerateCorruptedTailRecords
// (rocksdb_instance.cpp): a record cut short at the end of a log, as a crash
// mid-write leaves it, is tolerated; damage before that fails the open. In
// --sync mode every acknowledged record was fsynced, so such damage is the
// medium's, and what follows it may be acknowledged changes: RocksDB's default
// (kPointInTimeRecovery) would stop the replay there without failing, losing
// them and reissuing their ids.
//
// RocksDB reports a damaged log as "Corruption: checksum mismatch" with no file
// or offset. WalReplay, the WalFilter of a read-only open made before the real
// one (RocksDbInstance::open), sees each intact record in replay order and adds
// up where it ends, by the log format (db/log_format.h: 32 KiB blocks, a 7-byte
// header per fragment, a block's last 6 bytes or fewer left as padding); after
// that open, damage() or unexplained_tail() compares it with the files' sizes.
//
// Thread safety: RocksDB calls the filter from the one thread that opens the
// database; damage() and unexplained_tail() once the open has returned:
// they read only what the replay left and the files.
#pragma once

#include <rocksdb/wal_filter.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace todo {

struct WalDamage {
  std::filesystem::path file;    // the first log that does not replay to its end
  std::uint64_t offset = 0;      // where its last intact record ends
  std::uint64_t bytes_lost = 0;  // from there to the end of the last log

  // "the write-ahead log D/000004.log is damaged at byte 50713 of 99046 ..."
  std::string describe() const;
};

class WalReplay final : public rocksdb::WalFilter {
 public:
  explicit WalReplay(std::filesystem::path dir) : dir_(std::move(dir)) {}

  void ColumnFamilyLogNumberMap(const std::map<std::uint32_t, std::uint64_t>& log_numbers,
                                const std::map<std::string, std::uint32_t>& names) override;
  WalProcessingOption LogRecordFound(unsigned long long log_number,
                                     const std::string& log_file_name,
                                     const rocksdb::WriteBatch& batch,
                                     rocksdb::WriteBatch* new_batch, bool* batch_changed) override;
  const char* Name() const override { return "todo::WalReplay"; }

  // Where a record of payload_size bytes that the log writer starts at offset
  // ends: it pads a block with fewer than a header's bytes left, and splits
  // the payload into fragments that each fill what is left of a block.
  static std::uint64_t record_end(std::uint64_t offset, std::uint64_t payload_size);

  // After an open that failed with a corruption: the damaged log, or none when
  // every log replayed to its end (the damage is elsewhere: the MANIFEST or a
  // table file).
  std::optional<WalDamage> damage() const;

  // After an open that succeeded: a log whose replay stopped short for a
  // reason other than a record cut short at its end. RocksDB reads some
  // damage as the end of a log without a word: a flipped bit that makes a
  // fragment's type one of a recycled log's, for one. What follows the last
  // intact record must then be zeros (preallocated, or the writer's block
  // padding), fewer bytes than a header, or the header of a record the file
  // ends inside: a whole record (kFullType) whose payload runs past the end
  // of the file, or a first fragment (kFirstType) that fills its block.
  std::optional<WalDamage> unexplained_tail() const;

  // A log the replay reads, as the directory holds it.
  struct LogFile {
    std::uint64_t number;
    std::filesystem::path path;
    std::uint64_t size;
  };

 private:
  const std::filesystem::path dir_;
  // The first log, from number from_log on, that stops short of its end with
  // is_damaged(log, where its intact records end) true; with the bytes from
  // there to the end of the last log.
  template <class IsDamaged>
  std::optional<WalDamage> first_damaged(std::uint64_t from_log, IsDamaged is_damaged) const;

  // RocksDB reads the MANIFEST before the logs: an open that failed before
  // the replay started failed on something else.
  bool is_replay_started_ = false;
  // Logs older than this were flushed already and are not replayed.
  std::uint64_t first_replayed_log_ = 0;
  // Log number -> where its last intact record ends.
  std::map<std::uint64_t, std::uint64_t> replayed_to_;
};

}  // namespace todo
