#!/usr/bin/env bash
# Memory of lists touched once (issue 14, item 8), through one `todo batch` each against a
# fresh todod --no-sync: READS reads of distinct names nobody wrote, then ADDS adds of one
# entry to as many distinct lists, with todod's default --max-memory and with MAX_MEMORY.
# Prints, after each, the seconds the batch took, todod's resident memory (now and at its
# peak) and ping's lists in memory and lists expired.
# Usage: bench/touched-once.sh [READS] [ADDS] [MAX_MEMORY]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
reads=${1:-500000}
adds=${2:-200000}
max_memory=${3:-32MiB}
build=${TODO_BUILD_DIR:-build}
todo="$build/cli/todo"

. bench/scratch-todod.sh

# run_batch LABEL: the batch on stdin, then the figures.
run_batch() {
  local start end
  start=$(date +%s%N)
  "$todo" --endpoint "$endpoint" batch > /dev/null
  end=$(date +%s%N)
  sleep 0.5  # a few ticks of the idle clock: what the limit evicts, it has evicted
  printf '%-34s %6.2f s  rss %4d MiB (peak %4d MiB)  %s\n' "$1" \
    "$(echo "($end - $start) / 1000000000" | bc -l)" \
    $(( $(awk '/VmRSS/ {print $2}' "/proc/$todod_pid/status") / 1024 )) \
    $(( $(awk '/VmHWM/ {print $2}' "/proc/$todod_pid/status") / 1024 )) \
    "$("$todo" --endpoint "$endpoint" --json ping | tr -d '\n' |
      grep -o '"lists_in_memory":[0-9]*\|"lists_expired":[0-9]*' | tr -d '"' | tr '\n' ' ')"
}

start_todod --no-sync
seq "$reads" | sed 's/^/entries nobody-/' | run_batch "$reads reads of names nobody wrote"
stop_todod
rm -rf "$work/data"

for limit in default "$max_memory"; do
  if [ "$limit" = default ]; then start_todod --no-sync; else start_todod --no-sync --max-memory "$limit"; fi
  seq "$adds" | sed 's/^/add touched-/; s/$/ 2026-12-02 a title of about forty characters, no more/' |
    run_batch "$adds one-entry lists, $limit"
  stop_todod
  rm -rf "$work/data"
done
