#include "daemon/memory_limit.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace todo {
namespace {

// The number in file, or 0 when it holds "max" (no limit), nothing or garbage.
std::uint64_t limit_in(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text)) return 0;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : 0;
}

// The lowest limit in file_name of directory and of each of its parents up to
// root, root included; 0 when none is set.
std::uint64_t lowest_limit_up_to(const std::filesystem::path& root, std::filesystem::path directory,
                                 const std::string& file_name) {
  std::uint64_t lowest = 0;
  for (;;) {
    const std::uint64_t limit = limit_in(directory / file_name);
    if (limit > 0 && (lowest == 0 || limit < lowest)) lowest = limit;
    if (directory == root || !directory.has_relative_path()) return lowest;
    const std::filesystem::path parent = directory.parent_path();
    if (parent == directory) return lowest;
    directory = parent;
  }
}

}  // namespace

std::uint64_t cgroup_memory_limit(const std::filesystem::path& cgroup_root,
                                  std::string_view proc_self_cgroup) {
  // Lines are "ID:CONTROLLERS:PATH": "0::PATH" for cgroup v2, "N:memory:PATH"
  // for v1's memory controller.
  std::uint64_t lowest = 0;
  std::istringstream lines{std::string(proc_self_cgroup)};
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos) continue;
    std::uint64_t limit = 0;
    if (line.compare(0, first, "0") == 0 && controllers.empty()) {
      limit = lowest_limit_up_to(cgroup_root, cgroup_root / path.substr(1), "memory.max");
    } else if (controllers == "memory") {
      const std::filesystem::path v1_root = cgroup_root / "memory";
      limit = lowest_limit_up_to(v1_root, v1_root / path.substr(1), "memory.limit_in_bytes");
    }
    if (limit > 0 && (lowest == 0 || limit < lowest)) lowest = limit;
  }
  return lowest;
}

std::uint64_t available_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t physical =
      pages > 0 && page_size > 0 ? static_cast<std::uint64_t>(pages) * page_size : 0;
  std::ifstream file("/proc/self/cgroup");
  std::stringstream text;
  text << file.rdbuf();
  const std::uint64_t cgroup = cgroup_memory_limit("/sys/fs/cgroup", text.str());
  if (cgroup == 0) return physical;
  return physical == 0 ? cgroup : std::min(cgroup, physical);
}

std::uint64_t default_max_memory_bytes() {
  return available_memory_bytes() / kDefaultMaxMemoryDivisor;
}

std::uint64_t default_max_reply_bytes() {
  const std::uint64_t available = available_memory_bytes();
  return available == 0 ? kFallbackMaxReplyBytes : available / kDefaultMaxReplyMemoryDivisor;
}

}  // namespace todo
