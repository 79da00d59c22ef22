#include "bench/bench_support.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace todo::bench {

ScratchDirectory::ScratchDirectory(const std::string& requested) {
  if (!requested.empty()) {
    path_ = requested;
    return;
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "todo-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  is_owned_ = true;
}

ScratchDirectory::~ScratchDirectory() {
  if (!is_owned_) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

double median(std::vector<double>& samples) {
  std::sort(samples.begin(), samples.end());
  const std::size_t middle = samples.size() / 2;
  if (samples.size() % 2 == 1) return samples[middle];
  return (samples[middle - 1] + samples[middle]) / 2;
}

}  // namespace todo::bench
