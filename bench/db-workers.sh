#!/usr/bin/env bash
# How the number of database workers changes adds under --sync: todo-bench's add workload
# (64 connections, 1 and 16 in flight, 4 s after 1 s of warm-up) against a fresh todod with
# --db-workers 1, 2 and 3 in turn, ROUNDS times (default 3), so that drift in the machine
# falls on each. Prints ops/s, p99, and the group commits todod counted (ping) for each run.
# Usage: bench/db-workers.sh [ROUNDS]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
build=${TODO_BUILD_DIR:-build}

. bench/scratch-todod.sh
printf '%-7s %-3s %-5s | %9s %9s | %s\n' workers W round ops/s "p99 (us)" "database batches of writes"
for round in $(seq "$rounds"); do
  for workers in 1 2 3; do
    for in_flight in 1 16; do
      rm -rf "$work/data"
      start_todod --sync --db-workers "$workers"
      json=$("$build/bench/todo-bench" --endpoint "$endpoint" -c 64 -w "$in_flight" \
        --workload add --duration 4 --warmup 1 --json)
      batches=$("$build/cli/todo" --endpoint "$endpoint" ping |
        grep -o '[0-9]* database batches of [0-9]* writes')
      stop_todod
      printf '%-7s %-3s %-5s | %9s %9s | %s\n' "$workers" "$in_flight" "$round" \
        "$(echo "$json" | field ops_per_second)" "$(echo "$json" | field p99_us)" "$batches"
    done
  done
done
