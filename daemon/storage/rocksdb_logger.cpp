#include "daemon/storage/rocksdb_logger.hpp"

#include <cstdio>
#include <string>

namespace todo {

const std::shared_ptr<rocksdb::Logger>& RocksDbLogger::shared() {
  // Deliberately never freed (see the header); reachable, so no leak report.
  static const auto* const logger =
      new std::shared_ptr<rocksdb::Logger>(std::shared_ptr<RocksDbLogger>(new RocksDbLogger()));
  return *logger;
}

void RocksDbLogger::Logv(const char* format, va_list arguments) {
  char message[1024];
  std::vsnprintf(message, sizeof message, format, arguments);
  // One write, so that lines from several threads do not interleave.
  const std::string line = std::string("todod: rocksdb: ") + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace todo
