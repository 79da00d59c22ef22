// The memory todod may count on, for the default of --max-memory: the limit of
// its control group, when one is set and lower than the machine's physical
// memory (a container's or a systemd unit's MemoryMax=), else the physical
// memory. Read once, at startup.
//
// Thread safety: pure functions of /proc and /sys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace todo {

// The default --max-memory is this fraction of available_memory_bytes(). The
// limit bounds an estimate of the lists in memory (IdleReaper), and the rest
// of the process and the machine need room besides: malloc's rounding and
// the freed memory it keeps can double what the lists really take after much
// coming and going, RocksDB's memtables and block cache come on top, and
// RocksDB reads its files through the page cache, which is what makes a list
// that left memory quick to load again. A quarter leaves at most half of the
// memory to the lists' actual footprint, and the other half to all of that.
inline constexpr std::uint64_t kDefaultMaxMemoryDivisor = 4;

// The lowest memory limit of the control group named in proc_self_cgroup
// (the text of /proc/self/cgroup) and of its ancestors, under cgroup_root
// (/sys/fs/cgroup): memory.max with cgroup v2, memory/.../memory.limit_in_bytes
// with v1. 0 when none is set ("max") or none can be read.
std::uint64_t cgroup_memory_limit(const std::filesystem::path& cgroup_root,
                                  std::string_view proc_self_cgroup);

// The lower of this process's cgroup limit and the physical memory; 0 when
// neither can be read.
std::uint64_t available_memory_bytes();

// available_memory_bytes() / kDefaultMaxMemoryDivisor; 0 (no limit) when it
// cannot be read.
std::uint64_t default_max_memory_bytes();

// The default --max-reply-memory, the bytes of replies waiting for their
// clients (ReplyMemory) is this fraction of available_memory_bytes(), or
// kFallbackMaxReplyBytes when that cannot be read: with the lists' quarter,
// it leaves more than half of the memory to the rest.
inline constexpr std::uint64_t kDefaultMaxReplyMemoryDivisor = 8;
inline constexpr std::uint64_t kFallbackMaxReplyBytes = std::uint64_t{256} << 20;
std::uint64_t default_max_reply_bytes();

}  // namespace todo
