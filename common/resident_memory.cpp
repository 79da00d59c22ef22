#include "common/resident_memory.hpp"

#include <unistd.h>

#include <fstream>
#include <string>

namespace todo {
namespace {

// statm's second field is the resident set, in pages: the figure that
// status's VmRSS gives in KiB.
std::uint64_t resident_bytes_from(const std::string& statm_path) {
  std::ifstream statm(statm_path);
  std::uint64_t total_pages = 0;
  std::uint64_t resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

std::uint64_t resident_bytes() { return resident_bytes_from("/proc/self/statm"); }

std::uint64_t resident_bytes(pid_t pid) {
  return resident_bytes_from("/proc/" + std::to_string(pid) + "/statm");
}

}  // namespace todo
