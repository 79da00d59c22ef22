#!/usr/bin/env bash
# Cold start of todod on a data directory holding LISTS lists (default 1,000,000, one entry
# each): the time from starting todod to the answer of its first request (`todo entries` of
# one stored list), ROUNDS times (default 5), median. Lists load on first use, not at start,
# so this is RocksDB's open plus one list's load. The directory is filled once with
# `todo batch` (--no-sync: the fill is not what is measured) and todod stopped cleanly.
# Usage: bench/cold-start.sh [LISTS] [ROUNDS]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
lists=${1:-1000000}
rounds=${2:-5}
build=${TODO_BUILD_DIR:-build}
todo="$build/cli/todo"

. bench/scratch-todod.sh

start_todod --no-sync
awk -v n="$lists" 'BEGIN { for (i = 0; i < n; i++) printf "add cold-%d 2026-11-27 stored entry %d\n", i, i }' |
  "$todo" --endpoint "$endpoint" batch > /dev/null
stop_start=$(date +%s%N)
stop_todod
echo "filled: $lists lists; clean stop (flushing them) took $(( ($(date +%s%N) - stop_start) / 1000000 )) ms; $(du -sh "$work/data" | cut -f1) on disk"

probe="cold-$((lists / 2))"
times=()
for _ in $(seq "$rounds"); do
  sync
  start=$(date +%s%N)
  start_todod
  "$todo" --endpoint "$endpoint" entries "$probe" > /dev/null
  end=$(date +%s%N)
  times+=("$(( (end - start) / 1000000 ))")
  stop_todod
done
median=$(printf '%s\n' "${times[@]}" | median)
echo "first answer after start, ms, each round: ${times[*]}"
echo "median of $rounds: $median ms"
