#include "daemon/storage/rocksdb_logger.hpp"

#include <cstdio>
#include <string>

#include "daemon/runtime/log.hpp"

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
  log_event(std::string("rocksdb: ") + message);
}

}  // namespace todo
