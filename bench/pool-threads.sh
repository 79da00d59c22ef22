#!/usr/bin/env bash
# How the number of pool threads (--threads) changes adds and reads under --sync: todo-bench
# (64 connections, 1 and 16 in flight, 4 s after 1 s of warm-up) against a fresh todod with
# each thread count in turn, ROUNDS times (default 3), so that drift in the machine falls on
# each. Prints ops/s and p99 per run, then the median of each.
# Usage: bench/pool-threads.sh [ROUNDS] [THREAD COUNTS...]   (after ./scripts/build.sh;
# default counts: 1 and 2)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1 2)
build=${TODO_BUILD_DIR:-build}

. bench/scratch-todod.sh
results="$work/results"
printf '%-8s %-8s %-3s %-5s | %9s %9s\n' threads workload W round ops/s "p99 (us)"
for round in $(seq "$rounds"); do
  for threads in "${counts[@]}"; do
    for workload in add read; do
      for in_flight in 1 16; do
        rm -rf "$work/data"
        start_todod --sync --threads "$threads"
        json=$("$build/bench/todo-bench" --endpoint "$endpoint" -c 64 -w "$in_flight" \
          --workload "$workload" --duration 4 --warmup 1 --json)
        stop_todod
        ops=$(echo "$json" | field ops_per_second)
        p99=$(echo "$json" | field p99_us)
        echo "$threads $workload $in_flight $ops $p99" >> "$results"
        printf '%-8s %-8s %-3s %-5s | %9s %9s\n' "$threads" "$workload" "$in_flight" "$round" \
          "$ops" "$p99"
      done
    done
  done
done
echo
echo "medians of $rounds rounds"
printf '%-8s %-8s %-3s | %9s %9s\n' threads workload W ops/s "p99 (us)"
for threads in "${counts[@]}"; do
  for workload in add read; do
    for in_flight in 1 16; do
      runs=$(awk -v t="$threads" -v w="$workload" -v f="$in_flight" \
        '$1 == t && $2 == w && $3 == f' "$results")
      printf '%-8s %-8s %-3s | %9s %9s\n' "$threads" "$workload" "$in_flight" \
        "$(echo "$runs" | awk '{print $4}' | median)" "$(echo "$runs" | awk '{print $5}' | median)"
    done
  done
done
