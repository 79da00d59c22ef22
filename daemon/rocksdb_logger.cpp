#include "daemon/rocksdb_logger.hpp"

#include <cstdio>
#include <string>

namespace todo {

void RocksDbLogger::Logv(const char* format, va_list arguments) {
  char message[1024];
  std::vsnprintf(message, sizeof message, format, arguments);
  // One write, so that lines from several threads do not interleave.
  const std::string line = std::string("todod: rocksdb: ") + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace todo
