#include "daemon/storage/wal_replay.hpp"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <vector>

namespace todo {
namespace {

// db/log_format.h, for logs that are not recycled (recycle_log_file_num = 0).
constexpr std::uint64_t kBlockSize = 32768;
constexpr std::uint64_t kHeaderSize = 7;

// Where a record of payload_size bytes written at offset ends: the writer
// pads a block with fewer than a header's bytes left and starts the next, and
// splits the payload into fragments that each fill what is left of a block.
std::uint64_t record_end(std::uint64_t offset, std::uint64_t payload_size) {
  do {
    const std::uint64_t left_in_block = kBlockSize - offset % kBlockSize;
    if (left_in_block < kHeaderSize) offset += left_in_block;
    const std::uint64_t fragment =
        std::min(payload_size, kBlockSize - offset % kBlockSize - kHeaderSize);
    offset += kHeaderSize + fragment;
    payload_size -= fragment;
  } while (payload_size > 0);
  return offset;
}

// The log number of a name like "000004.log".
std::optional<std::uint64_t> log_number(const std::string& file_name) {
  constexpr std::string_view kSuffix = ".log";
  if (file_name.size() <= kSuffix.size() || !file_name.ends_with(kSuffix)) return std::nullopt;
  const char* end = file_name.data() + file_name.size() - kSuffix.size();
  std::uint64_t number = 0;
  const auto [parsed_to, error] = std::from_chars(file_name.data(), end, number);
  if (error != std::errc() || parsed_to != end) return std::nullopt;
  return number;
}

}  // namespace

std::string WalDamage::describe() const {
  return "the write-ahead log " + file.string() + " is damaged at byte " + std::to_string(offset) +
         ": the " + std::to_string(bytes_lost) +
         " bytes of log from there on cannot be read, and may hold acknowledged changes";
}

void WalReplay::ColumnFamilyLogNumberMap(const std::map<std::uint32_t, std::uint64_t>& log_numbers,
                                         const std::map<std::string, std::uint32_t>&) {
  is_replay_started_ = true;
  for (const auto& [family, number] : log_numbers) {
    first_replayed_log_ = first_replayed_log_ == 0 ? number : std::min(first_replayed_log_, number);
  }
}

rocksdb::WalFilter::WalProcessingOption WalReplay::LogRecordFound(unsigned long long log_number,
                                                                  const std::string&,
                                                                  const rocksdb::WriteBatch& batch,
                                                                  rocksdb::WriteBatch*, bool*) {
  std::uint64_t& end = replayed_to_[log_number];
  end = record_end(end, batch.GetDataSize());
  return WalProcessingOption::kContinueProcessing;
}

std::optional<WalDamage> WalReplay::damage() const {
  struct LogFile {
    std::uint64_t number;
    std::filesystem::path path;
    std::uint64_t size;
  };
  if (!is_replay_started_) return std::nullopt;
  std::vector<LogFile> logs;
  std::error_code error;
  for (const auto& file : std::filesystem::directory_iterator(dir_, error)) {
    const auto number = log_number(file.path().filename().string());
    if (!number || *number < first_replayed_log_) continue;
    const auto size = file.file_size(error);
    if (!error) logs.push_back({*number, file.path(), size});
  }
  std::sort(logs.begin(), logs.end(),
            [](const LogFile& a, const LogFile& b) { return a.number < b.number; });
  // The replay stops at the damage: it is in the last log a record came from,
  // short of its end, or else at the start of the next log that holds anything.
  const std::uint64_t last_replayed = replayed_to_.empty() ? 0 : replayed_to_.rbegin()->first;
  std::optional<WalDamage> damage;
  for (const LogFile& log : logs) {
    if (damage) {
      damage->bytes_lost += log.size;
      continue;
    }
    if (log.number < last_replayed) continue;
    const auto replayed = replayed_to_.find(log.number);
    const std::uint64_t intact_to = replayed == replayed_to_.end() ? 0 : replayed->second;
    if (intact_to < log.size) damage = WalDamage{log.path, intact_to, log.size - intact_to};
  }
  return damage;
}

}  // namespace todo
