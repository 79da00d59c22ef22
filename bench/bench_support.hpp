// What the in-process benchmarks share: a scratch data directory and the
// median of samples. Resident memory is common/resident_memory.hpp's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace todo::bench {

// A data directory for one run: the one given, or a fresh one under the
// system temporary directory that is removed at exit.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const std::string& requested);
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool is_owned_ = false;
};

// REQUIRES: samples not empty. Sorts them.
double median(std::vector<double>& samples);

}  // namespace todo::bench
