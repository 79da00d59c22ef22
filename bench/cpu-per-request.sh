#!/usr/bin/env bash
# CPU time per request, of todod and of the load generator apiece: on a machine whose cores are
# all busy, what a request costs decides how many are served, and the two share the cores.
# For adds and reads at 1 and 16 in flight (64 connections, --sync), runs todo-bench against a
# fresh todod for 5 s after 1 s of warm-up, reads both processes' user + system time from
# /proc over 4 s of it, and divides by the requests answered meanwhile. ROUNDS times (default
# 3); prints each run, then the medians.
# Usage: bench/cpu-per-request.sh [ROUNDS]   (after ./scripts/build.sh; TODO_BENCH=PATH runs
# another todo-bench binary, to compare load generators)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
build=${TODO_BUILD_DIR:-build}
bench=${TODO_BENCH:-$build/bench/todo-bench}
ticks_per_second=$(getconf CLK_TCK)

. bench/scratch-todod.sh
results="$work/results"
# user + system clock ticks of a process, all its threads
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# microseconds of CPU a request: ticks before, ticks after, requests a second (over 4 s)
per_request() {
  echo "$1 $2 $3 $ticks_per_second" | awk '{printf "%.1f", ($2 - $1) / $4 * 1e6 / ($3 * 4)}'
}

printf '%-8s %-3s %-5s | %9s %14s %14s\n' workload W round ops/s "todod us/req" "bench us/req"
for round in $(seq "$rounds"); do
  for workload in add read; do
    for in_flight in 1 16; do
      rm -rf "$work/data"
      start_todod --sync
      "$bench" --endpoint "$endpoint" -c 64 -w "$in_flight" --workload "$workload" \
        --duration 5 --warmup 1 --json > "$work/json" &
      bench_pid=$!
      sleep 1.5
      todod_before=$(cpu_ticks "$todod_pid")
      bench_before=$(cpu_ticks "$bench_pid")
      sleep 4
      todod_after=$(cpu_ticks "$todod_pid")
      bench_after=$(cpu_ticks "$bench_pid")
      wait "$bench_pid"
      stop_todod
      ops=$(field ops_per_second < "$work/json")
      todod_us=$(per_request "$todod_before" "$todod_after" "$ops")
      bench_us=$(per_request "$bench_before" "$bench_after" "$ops")
      echo "$workload $in_flight $ops $todod_us $bench_us" >> "$results"
      printf '%-8s %-3s %-5s | %9s %14s %14s\n' "$workload" "$in_flight" "$round" "$ops" \
        "$todod_us" "$bench_us"
    done
  done
done
echo
echo "medians of $rounds rounds"
printf '%-8s %-3s | %9s %14s %14s\n' workload W ops/s "todod us/req" "bench us/req"
for workload in add read; do
  for in_flight in 1 16; do
    runs=$(awk -v w="$workload" -v f="$in_flight" '$1 == w && $2 == f' "$results")
    printf '%-8s %-3s | %9s %14s %14s\n' "$workload" "$in_flight" \
      "$(echo "$runs" | awk '{print $3}' | median)" "$(echo "$runs" | awk '{print $4}' | median)" \
      "$(echo "$runs" | awk '{print $5}' | median)"
  done
done
