#!/usr/bin/env bash
# What drops leave behind for later reads: the cold load of a list (its first read, todod
# just started or the list not in memory) and `todo lists`, after DROPS drops (default
# 300,000) of distinct lists, against the same directory before the drops.
#
# Probe lists of one entry each are stored, and todod restarted, so none is in memory. Then,
# ROUNDS times (default 5), medians: one more drop, of a list like the dropped ones, and the
# time of `todo entries` of a probe list (a read right after a drop, todo's own start
# included); 2,000 other probe lists read with one `todo batch` (a single pool thread loads
# them one after the other, so the batch's time over 2,000 is one cold load, with todo's
# start spread over the 2,000); and a `todo batch` of 20 `lists`, timed the same way.
# Then the drops, through `todo batch` in rounds of doubling size, each timed, of lists that
# hold ENTRIES entries each (default 0: lists never used; with more, the lists are filled
# first, untimed). Then the same reads of other probe lists, with the drops' writes still in
# the memtable; then once more after a restart (todod flushes its memtables when it stops).
# The ratios are the medians after the drops over the medians before.
# Usage: bench/drop-cost.sh [DROPS] [ENTRIES] [ROUNDS]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
drops=${1:-300000}
entries=${2:-0}
rounds=${3:-5}
build=${TODO_BUILD_DIR:-build}
todo="$build/cli/todo"
probes_per_round=2000
lists_per_round=20

. bench/scratch-todod.sh

run_todo() { "$todo" --endpoint "$endpoint" "$@"; }
ms_since() { echo "scale=1; ($(date +%s%N) - $1) / 1000000" | bc; }

# Each round reads probe lists it has not read before: a list in memory would not load.
next_probe=0
extra_drop=0
measure() {
  local label=$1 after_drop=() loads=() lists=() start
  for _ in $(seq "$rounds"); do
    run_todo drop "extra-$extra_drop" --yes > /dev/null 2>&1 || [ $? -eq 1 ]  # 1: nothing to drop
    extra_drop=$((extra_drop + 1))
    start=$(date +%s%N)
    run_todo entries "probe-$next_probe" | grep -q 'stored entry'
    after_drop+=("$(ms_since "$start")")
    next_probe=$((next_probe + 1))
    awk -v first=$next_probe -v n=$probes_per_round \
      'BEGIN { for (i = first; i < first + n; i++) printf "entries probe-%d\n", i }' > "$work/reads"
    next_probe=$((next_probe + probes_per_round))
    start=$(date +%s%N)
    run_todo batch < "$work/reads" > "$work/out"
    loads+=("$(echo "scale=4; ($(date +%s%N) - $start) / 1000000 / $probes_per_round" | bc)")
    [ "$(grep -c 'stored entry' "$work/out")" -eq "$probes_per_round" ] ||
      { echo "a probe list did not read back" >&2; exit 1; }
    awk -v n=$lists_per_round 'BEGIN { for (i = 0; i < n; i++) print "lists" }' > "$work/lists"
    start=$(date +%s%N)
    run_todo batch < "$work/lists" > /dev/null
    lists+=("$(echo "scale=2; ($(date +%s%N) - $start) / 1000000 / $lists_per_round" | bc)")
  done
  after_drop_median=$(printf '%s\n' "${after_drop[@]}" | median)
  load_median=$(printf '%s\n' "${loads[@]}" | median)
  lists_median=$(printf '%s\n' "${lists[@]}" | median)
  echo "$label: a read right after a drop, ms each round: ${after_drop[*]} (median $after_drop_median)"
  echo "$label: cold load ms each round: ${loads[*]} (median $load_median); lists ms: ${lists[*]} (median $lists_median)"
}

start_todod --no-sync
probes=$(((probes_per_round + 1) * rounds * 3))
awk -v n=$probes 'BEGIN { for (i = 0; i < n; i++) printf "add probe-%d 2026-12-02 stored entry %d\n", i, i }' |
  run_todo batch > /dev/null
if [ "$entries" -gt 0 ]; then
  awk -v n="$drops" -v m="$entries" 'BEGIN { for (i = 0; i < n; i++) for (j = 0; j < m; j++)
    printf "add dropped-%d 2026-12-02 entry %d\n", i, j }' | run_todo batch > /dev/null
  awk -v n=$((rounds * 3)) -v m="$entries" 'BEGIN { for (i = 0; i < n; i++) for (j = 0; j < m; j++)
    printf "add extra-%d 2026-12-02 entry %d\n", i, j }' | run_todo batch > /dev/null
fi
stop_todod
start_todod --sync
measure "before the drops"
before_after_drop=$after_drop_median
before_load=$load_median
before_lists=$lists_median

done_drops=0
size=10000
while [ "$done_drops" -lt "$drops" ]; do
  [ $((done_drops + size)) -gt "$drops" ] && size=$((drops - done_drops))
  awk -v first=$done_drops -v n=$size 'BEGIN { for (i = first; i < first + n; i++) printf "drop dropped-%d --yes\n", i }' \
    > "$work/drops"
  start=$(date +%s%N)
  run_todo batch < "$work/drops" > "$work/out"
  echo "drops $done_drops to $((done_drops + size)): $(ms_since "$start") ms"
  [ "$(grep -c '^ok' "$work/out")" -eq "$size" ] || { echo "a drop was not acknowledged" >&2; exit 1; }
  done_drops=$((done_drops + size))
  size=$((size * 2))
done
echo "on disk after $drops drops: $(du -sh "$work/data" | cut -f1)"
measure "after $drops drops"
after_after_drop=$after_drop_median
after_load=$load_median
after_lists=$lists_median
stop_todod
start_todod --sync
measure "after $drops drops and a restart"
echo "ratio, a read right after a drop, after the drops / before: $(echo "scale=2; $after_after_drop / $before_after_drop" | bc);" \
  "after a restart: $(echo "scale=2; $after_drop_median / $before_after_drop" | bc)"
echo "ratio, cold load after the drops / before: $(echo "scale=2; $after_load / $before_load" | bc);" \
  "after a restart: $(echo "scale=2; $load_median / $before_load" | bc)"
echo "ratio, lists after the drops / before: $(echo "scale=2; $after_lists / $before_lists" | bc);" \
  "after a restart: $(echo "scale=2; $lists_median / $before_lists" | bc)"
