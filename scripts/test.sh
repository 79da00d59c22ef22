#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test. Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh "$@"
build_dir=${TODO_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure -j"${TODO_JOBS:-2}"
