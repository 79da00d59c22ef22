// Where RocksDB's own log goes: todod's stderr (the journal, under systemd),
// warnings and worse only, each line marked as RocksDB's. Not a LOG file in
// the data directory: once that disk is full, RocksDB 7.8 (as Debian builds
// it, with assertions on) aborts the process on its next write to a log file
// that already failed once, which would turn a full disk into a crash.
//
// One logger serves the whole process and is never destroyed: RocksDB's
// background threads are shared by every DB in the process and outlive each,
// and may still hold the logger while a DB closes.
//
// Thread safety: RocksDB calls Logv from any of its threads; each line is one
// write to stderr.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>
#include <memory>

namespace todo {

class RocksDbLogger final : public rocksdb::Logger {
 public:
  static const std::shared_ptr<rocksdb::Logger>& shared();

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override;

 private:
  RocksDbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
};

}  // namespace todo
