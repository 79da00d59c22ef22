#!/usr/bin/env bash
# The core engine's figures for docs/performance.md: todo-loadtest run ROUNDS times (fresh
# process each, 1,000,000 lists), medians of create, lookup, memory and the machine's
# random-access floor; then todo-add-cost (interleaved samples, medians, ratio).
# Usage: bench/core-figures.sh [ROUNDS]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
build=${TODO_BUILD_DIR:-build}

. bench/figures.sh

runs=()
for _ in $(seq "$rounds"); do runs+=("$("$build/bench/todo-loadtest" --lists 1000000 --json)"); done
printf '%s\n' "${runs[@]}" > /tmp/todo-loadtest-runs.json
for key in create_us lookup_us lists_mb bytes_per_list random_access_ns; do
  printf '%-18s median of %s: %s\n' "$key" "$rounds" "$(printf '%s\n' "${runs[@]}" | field "$key" | median)"
done
"$build/bench/todo-add-cost" --samples 1000
