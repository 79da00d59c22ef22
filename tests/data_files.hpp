// Finding RocksDB's files in a test's data directory, to damage them.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <string_view>
#include <vector>

namespace todo::testing {

// The one file in data_dir with this extension (".log", ".sst") that holds
// anything.
inline std::filesystem::path only_file_with(const std::filesystem::path& data_dir,
                                            std::string_view extension) {
  std::vector<std::filesystem::path> found;
  for (const auto& file : std::filesystem::directory_iterator(data_dir)) {
    if (file.path().extension() == extension && file.file_size() > 0) found.push_back(file.path());
  }
  REQUIRE(found.size() == 1);
  return found.front();
}

}  // namespace todo::testing
