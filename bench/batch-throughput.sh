#!/usr/bin/env bash
# `todo batch` of 100,000 adds end to end against todod --sync on ipc://: the commands per
# second the client sees, from its start to its exit, ROUNDS times (default 3), median; once
# with every add to one list, once spread at random over 10,000 lists. Arguments after ROUNDS go
# to `todo batch`: `--retry` gives every add an idempotency key, which todod stores with it.
# Usage: bench/batch-throughput.sh [ROUNDS [BATCH_ARGS...]]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
batch_args=("$@")
adds=100000
build=${TODO_BUILD_DIR:-build}
todo="$build/cli/todo"

. bench/scratch-todod.sh
start_todod --sync

awk -v n=$adds 'BEGIN { for (i = 0; i < n; i++) printf "add one-list 2026-11-27 batch entry %d\n", i }' \
  > "$work/one-list"
awk -v n=$adds 'BEGIN { srand(1); for (i = 0; i < n; i++)
  printf "add list-%d 2026-11-27 batch entry %d\n", int(rand() * 10000), i }' > "$work/many-lists"

for input in one-list many-lists; do
  rates=()
  for round in $(seq "$rounds"); do
    start=$(date +%s%N)
    "$todo" --endpoint "$endpoint" batch "${batch_args[@]}" < "$work/$input" > "$work/out"
    end=$(date +%s%N)
    acknowledged=$(grep -c '^[0-9]' "$work/out")
    [ "$acknowledged" -eq "$adds" ] || { echo "only $acknowledged of $adds adds acknowledged" >&2; exit 1; }
    rates+=("$(( adds * 1000000000 / (end - start) ))")
    # The one-list input fills its list to the 100,000-entry limit: start it over.
    "$todo" --endpoint "$endpoint" drop one-list --yes > /dev/null
  done
  median=$(printf '%s\n' "${rates[@]}" | median)
  echo "$input: commands/s each round: ${rates[*]}; median of $rounds: $median"
done
