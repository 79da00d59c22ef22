// Clang's thread-safety attributes, under the names LevelDB and Abseil give
// them: a member marked GUARDED_BY(mutex_) may be touched only with mutex_
// held, a function marked REQUIRES(mutex_) only called so, and clang's
// -Wthread-safety checks every access at compile time (scripts/thread-safety.sh
// builds with it as an error). Other compilers see nothing.
//
// Thread safety: macros only.
#pragma once

#if defined(__clang__)
#define TODO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TODO_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(name) TODO_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY TODO_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(mutex) TODO_THREAD_ANNOTATION(guarded_by(mutex))
#define PT_GUARDED_BY(mutex) TODO_THREAD_ANNOTATION(pt_guarded_by(mutex))
#define REQUIRES(...) TODO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) TODO_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) TODO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) TODO_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) TODO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) TODO_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) TODO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS TODO_THREAD_ANNOTATION(no_thread_safety_analysis)
