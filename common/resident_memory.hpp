// How much of a process's memory is in RAM (its resident set size), as Linux's
// /proc tells it: for todod's ping, the benchmarks' figures, and the tests
// that watch a running todod.
//
// Thread safety: pure functions of /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace todo {

// This process's resident set size, in bytes; 0 when /proc cannot tell.
std::uint64_t resident_bytes();

// Process `pid`'s, in bytes; 0 when /proc cannot tell (no /proc, or no such
// process).
std::uint64_t resident_bytes(pid_t pid);

}  // namespace todo
