#!/usr/bin/env bash
# Two todod binaries side by side, on the same work in the same run: what a change to the
# daemon costs or saves. For each workload (default: add at 1 and 16 in flight; 64
# connections, --sync), runs todo-bench for 5 s after 1 s of warm-up against a fresh todod of
# each binary in turn, ROUNDS times (default 3), the two taking turns so that drift in the
# machine falls on both; reads todod's user + system time from /proc over 4 s of each run.
# Prints each run, then the medians and the ratio of the second binary's to the first's.
# Usage: bench/compare-todods.sh FIRST_TODOD SECOND_TODOD [ROUNDS] [WORKLOAD:W ...]
#   (after ./scripts/build.sh; e.g. a todod built from an earlier commit in a git worktree)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: bench/compare-todods.sh FIRST_TODOD SECOND_TODOD [ROUNDS] [WORKLOAD:W ...]" >&2
  exit 2
fi
first=$(realpath "$1")
second=$(realpath "$2")
rounds=${3:-3}
shift $(($# < 3 ? $# : 3))
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(add:1 add:16)
build=${TODO_BUILD_DIR:-build}
bench=${TODO_BENCH:-$build/bench/todo-bench}
ticks_per_second=$(getconf CLK_TCK)

. bench/scratch-todod.sh
results="$work/results"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Runs one workload against a fresh todod of binary $1; appends "which workload W ops us".
run_one() {
  local which=$1 workload=$3 in_flight=$4
  rm -rf "$work/data"
  todod_binary=$2 start_todod --sync
  "$bench" --endpoint "$endpoint" -c 64 -w "$in_flight" --workload "$workload" \
    --duration 5 --warmup 1 --json > "$work/json" &
  local bench_pid=$!
  sleep 1.5
  local before after
  before=$(cpu_ticks "$todod_pid")
  sleep 4
  after=$(cpu_ticks "$todod_pid")
  wait "$bench_pid"
  stop_todod
  local ops us
  ops=$(field ops_per_second < "$work/json")
  us=$(echo "$before $after $ops $ticks_per_second" |
    awk '{printf "%.1f", ($2 - $1) / $4 * 1e6 / ($3 * 4)}')
  echo "$which $workload $in_flight $ops $us" >> "$results"
  printf '%-7s %-8s %-3s | %9s %14s\n' "$which" "$workload" "$in_flight" "$ops" "$us"
}

echo "first:  $first"
echo "second: $second"
printf '%-7s %-8s %-3s | %9s %14s\n' todod workload W ops/s "todod us/req"
for round in $(seq "$rounds"); do
  for case in "${cases[@]}"; do
    workload=${case%%:*}
    in_flight=${case##*:}
    run_one first "$first" "$workload" "$in_flight"
    run_one second "$second" "$workload" "$in_flight"
  done
done
echo
echo "medians of $rounds rounds"
printf '%-8s %-3s | %9s %9s %7s | %12s %12s %7s\n' workload W "ops/s 1st" "2nd" ratio \
  "us/req 1st" "2nd" ratio
for case in "${cases[@]}"; do
  workload=${case%%:*}
  in_flight=${case##*:}
  med() { awk -v t="$1" -v w="$workload" -v f="$in_flight" -v c="$2" \
    '$1 == t && $2 == w && $3 == f {print $c}' "$results" | median; }
  ops1=$(med first 4)
  ops2=$(med second 4)
  us1=$(med first 5)
  us2=$(med second 5)
  printf '%-8s %-3s | %9s %9s %7s | %12s %12s %7s\n' "$workload" "$in_flight" "$ops1" "$ops2" \
    "$(awk -v a="$ops2" -v b="$ops1" 'BEGIN {printf "%.2f", a / b}')" "$us1" "$us2" \
    "$(awk -v a="$us2" -v b="$us1" 'BEGIN {printf "%.2f", a / b}')"
done
