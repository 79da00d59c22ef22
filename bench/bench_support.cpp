#include "bench/bench_support.hpp"

#include <stdlib.h>

#include <algorithm>
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

double median(std::vector<double>& samples) {
  std::sort(samples.begin(), samples.end());
  const std::size_t middle = samples.size() / 2;
  if (samples.size() % 2 == 1) return samples[middle];
  return (samples[middle - 1] + samples[middle]) / 2;
}

}  // namespace todo::bench
