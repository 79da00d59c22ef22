// What the sanitizers add to a process's resident memory, for the tests that
// bound todod's: ASan's quarantine keeps up to 256 MiB of freed memory, and
// its redzones and shadow about double the rest; TSan's shadow is several
// times the memory the program touches.
#pragma once

#include <cstdint>

namespace todo::testing {

// The growth to allow a todod built like this test where a plain build is
// allowed `plain` bytes.
constexpr std::uint64_t sanitized_growth(std::uint64_t plain) {
#if defined(__SANITIZE_ADDRESS__)
  return 2 * plain + (std::uint64_t{256} << 20);
#elif defined(__SANITIZE_THREAD__)
  return 8 * plain;
#else
  return plain;
#endif
}

}  // namespace todo::testing
