// Where RocksDB's own log goes: todod's stderr (the journal, under systemd),
// warnings and worse only, each line marked as RocksDB's. Not a LOG file in
// the data directory: once that disk is full, RocksDB 7.8 (as Debian builds
// it, with assertions on) aborts the process on its next write to a log file
// that already failed once, which would turn a full disk into a crash.
//
// Thread safety: RocksDB calls Logv from any of its threads; each line is one
// write to stderr.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>

namespace todo {

class RocksDbLogger final : public rocksdb::Logger {
 public:
  RocksDbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override;
};

}  // namespace todo
