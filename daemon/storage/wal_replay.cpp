#include "daemon/storage/wal_replay.hpp"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace todo {
namespace {

// db/log_format.h, for logs that are not recycled (recycle_log_file_num = 0).
constexpr std::uint64_t kBlockSize = 32768;
constexpr std::uint64_t kHeaderSize = 7;

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

// db/log_format.h's record types.
constexpr unsigned char kFullType = 1;
constexpr unsigned char kFirstType = 2;

using LogFile = WalReplay::LogFile;

// Whether the bytes of a log from offset on are what a crash while writing
// its last record leaves.
bool is_torn_tail(const std::filesystem::path& log, std::uint64_t offset, std::uint64_t size) {
  std::ifstream in(log, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string tail(std::min<std::uint64_t>(size - offset, 2 * kBlockSize), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  if (static_cast<std::size_t>(in.gcount()) != tail.size()) return false;
  if (tail.find_first_not_of('\0') == std::string::npos) return true;
  // The writer's padding: the zeros to the end of a block with less than a
  // header left.
  std::size_t at = 0;
  const std::uint64_t left_in_block = kBlockSize - offset % kBlockSize;
  if (left_in_block < kHeaderSize) {
    if (tail.substr(0, left_in_block).find_first_not_of('\0') != std::string::npos) return false;
    at = left_in_block;
  }
  if (tail.size() - at < kHeaderSize) return true;
  const std::uint64_t position = offset + at;
  const std::uint64_t length = static_cast<unsigned char>(tail[at + 4]) |
                               static_cast<std::uint64_t>(static_cast<unsigned char>(tail[at + 5]))
                                   << 8;
  const auto type = static_cast<unsigned char>(tail[at + 6]);
  const std::uint64_t block_end = position - position % kBlockSize + kBlockSize;
  if (type == kFullType) {
    return position + kHeaderSize + length <= block_end && position + kHeaderSize + length > size;
  }
  if (type == kFirstType) return position + kHeaderSize + length == block_end;
  return false;
}

}  // namespace

std::uint64_t WalReplay::record_end(std::uint64_t offset, std::uint64_t payload_size) {
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

namespace {

// The logs a replay reads, in order, with their sizes.
std::vector<LogFile> replayed_logs(const std::filesystem::path& dir, std::uint64_t first) {
  std::vector<LogFile> logs;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(dir, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    const auto number = log_number(it->path().filename().string());
    if (!number || *number < first) continue;
    std::error_code size_error;
    const auto size = it->file_size(size_error);
    // A log whose size cannot be read counts as all lost: the skip errs large.
    logs.push_back({*number, it->path(), size_error ? ~std::uint64_t{0} >> 8 : size});
  }
  std::sort(logs.begin(), logs.end(),
            [](const LogFile& a, const LogFile& b) { return a.number < b.number; });
  return logs;
}

}  // namespace

template <class IsDamaged>
std::optional<WalDamage> WalReplay::first_damaged(std::uint64_t from_log,
                                                  IsDamaged is_damaged) const {
  if (!is_replay_started_) return std::nullopt;
  std::optional<WalDamage> damage;
  for (const LogFile& log : replayed_logs(dir_, first_replayed_log_)) {
    if (damage) {
      damage->bytes_lost += log.size;
      continue;
    }
    if (log.number < from_log) continue;
    const auto replayed = replayed_to_.find(log.number);
    const std::uint64_t intact_to = replayed == replayed_to_.end() ? 0 : replayed->second;
    if (intact_to < log.size && is_damaged(log, intact_to)) {
      damage = WalDamage{log.path, intact_to, log.size - intact_to};
    }
  }
  return damage;
}

std::optional<WalDamage> WalReplay::unexplained_tail() const {
  return first_damaged(0, [](const LogFile& log, std::uint64_t intact_to) {
    return !is_torn_tail(log.path, intact_to, log.size);
  });
}

std::optional<WalDamage> WalReplay::damage() const {
  // The replay stops at the damage: it is in the last log a record came from,
  // short of its end, or else at the start of the next log that holds anything.
  const std::uint64_t last_replayed = replayed_to_.empty() ? 0 : replayed_to_.rbegin()->first;
  return first_damaged(last_replayed, [](const LogFile&, std::uint64_t) { return true; });
}

}  // namespace todo
