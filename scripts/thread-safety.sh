#!/usr/bin/env bash
# Builds todod, todo and the benchmarks with clang into build-thread-safety/ (or
# $TODO_THREAD_SAFETY_BUILD_DIR), with -Wthread-safety as an error: every member marked
# GUARDED_BY is touched only under its mutex, every function marked REQUIRES called only with it
# held (daemon/runtime/thread_annotations.hpp). The tests are left out: they take no annotated
# locks, and the suite runs in the other builds. Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TODO_THREAD_SAFETY_BUILD_DIR:-build-thread-safety}

./scripts/install-deps.sh clang
# The analysis is clang's front end: optimizing and debug information would only take time.
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 -DTODO_WERROR=ON -DBUILD_TESTING=OFF "$@" >/dev/null
cmake --build "$build_dir" -j"${TODO_JOBS:-2}"
