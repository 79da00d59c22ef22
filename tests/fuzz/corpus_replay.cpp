// Replays a fuzz target's seed corpus and its kept crashers through the
// target's LLVMFuzzerTestOneInput, in the ordinary build (no libFuzzer, no
// sanitizers), so that `ctest` fails when a change breaks a property on any of
// them or brings back a bug a crasher once found.
//
// Usage: <target>_replay CORPUS_DIR CRASHERS_DIR
// Every file in both directories is one input. The corpus must hold at least
// one file (an empty or misspelt corpus would pass without testing anything);
// the crashers directory exists only once the target has found something.
// A broken property aborts the process; the last path printed names the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// Sorted, so that a failing run replays in the same order again.
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const fs::path& file) {
  // Flushed before the input runs, because a failure aborts the process.
  std::cout << "replaying " << file.string() << std::endl;
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw std::runtime_error("cannot open " + file.string());
  const std::string bytes{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " CORPUS_DIR CRASHERS_DIR\n";
    return 2;
  }
  try {
    const std::vector<fs::path> corpus = files_in(argv[1]);
    if (corpus.empty()) {
      std::cerr << "corpus " << argv[1] << " holds no inputs\n";
      return 1;
    }
    std::vector<fs::path> crashers;
    if (fs::exists(argv[2])) crashers = files_in(argv[2]);
    for (const fs::path& file : corpus) replay(file);
    for (const fs::path& file : crashers) replay(file);
    std::cout << corpus.size() << " corpus inputs and " << crashers.size()
              << " crashers replayed, every property held\n";
    return 0;
  } catch (const std::exception& failure) {
    std::cerr << failure.what() << "\n";
    return 1;
  }
}
