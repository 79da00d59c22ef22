// A call into RocksDB, which is not built with ThreadSanitizer, made so that
// TSan does not check the memory accesses the call makes.
//
// TSan sees an uninstrumented library only through the libc and libstdc++
// functions it calls. tests/tsan.supp ignores the ones RocksDB calls directly
// (called_from_lib), but RocksDB's std::string work goes through libstdc++ into
// the copies of the string code that our instrumented binaries carry, and those
// accesses are recorded while RocksDB's own synchronisation (its atomics) is
// not. So when the leader of a RocksDB write group appends the batches of the
// other writers, TSan reports races between database workers that are not
// there. No code of ours runs inside such a call, so nothing of ours goes
// unchecked; what RocksDB does in there is RocksDB's to get right.
//
// Thread safety: covers the calling thread only. Without -fsanitize=thread it
// is a plain call.
#pragma once

#include <utility>

#if defined(__SANITIZE_THREAD__)
// In libtsan, not declared by GCC 12's <sanitizer/tsan_interface.h>.
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

namespace todo {

// Returns what call() returns.
template <class Call>
decltype(auto) call_uninstrumented(Call&& call) {
#if defined(__SANITIZE_THREAD__)
  struct Ignoring {
    Ignoring() { __tsan_ignore_thread_begin(); }
    ~Ignoring() { __tsan_ignore_thread_end(); }
    Ignoring(const Ignoring&) = delete;
    Ignoring& operator=(const Ignoring&) = delete;
  } ignoring;
#endif
  return std::forward<Call>(call)();
}

}  // namespace todo
