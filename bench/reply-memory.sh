#!/usr/bin/env bash
# Memory of replies waiting for their client (issue 14, item 3): a list of ENTRIES entries
# with 40-byte titles (a 6 MB reply at 100,000), then one `todo batch` of READS reads of the
# whole list, pipelined, while a second client adds to another list once a second. Prints
# todod's resident memory before, its peak during the batch, the batch's seconds, how many
# reads were answered busy, and the slowest of the other client's adds.
# Usage: bench/reply-memory.sh [READS] [ENTRIES]   (after ./scripts/build.sh;
# TODO_BUILD_DIR=... for another build)
set -euo pipefail
cd "$(dirname "$0")/.."
reads=${1:-300}
entries=${2:-100000}
build=${TODO_BUILD_DIR:-build}
todo="$build/cli/todo"

. bench/scratch-todod.sh

start_todod --no-sync
seq "$entries" | sed 's/^/add wide 2026-12-02 title /; s/$/ padded to forty bytes, about/' |
  "$todo" --endpoint "$endpoint" batch > /dev/null
"$todo" --endpoint "$endpoint" entries wide > /dev/null
rss_kib() { awk "/$1/ {print \$2}" "/proc/$todod_pid/status"; }
before=$(rss_kib VmRSS)
echo 5 > "/proc/$todod_pid/clear_refs"  # the peak from here on

slowest_add_ms=0
(
  while :; do
    start=$(date +%s%N)
    "$todo" --endpoint "$endpoint" add other 2026-12-02 "while reading" > /dev/null 2>&1 || echo failed >&2
    echo $(( ($(date +%s%N) - start) / 1000000 ))
    sleep 1
  done
) > "$work/adds" &
adder=$!
start=$(date +%s%N)
batch_status=0
seq "$reads" | sed 's/.*/entries wide/' | "$todo" --endpoint "$endpoint" --timeout 120000 batch \
  > "$work/out" 2> "$work/err" || batch_status=$?
end=$(date +%s%N)
kill "$adder" 2>/dev/null || true
wait "$adder" 2>/dev/null || true
slowest_add_ms=$(sort -n "$work/adds" | tail -1)
printf 'rss before %d MiB, peak during %d MiB, %d reads in %.2f s, %d answered busy, slowest other add %s ms, batch exit %d\n' \
  $((before / 1024)) $(( $(rss_kib VmHWM) / 1024 )) "$reads" \
  "$(echo "($end - $start) / 1000000000" | bc -l)" "$(grep -c busy "$work/err" || true)" \
  "${slowest_add_ms:-none}" "$batch_status"
grep -v busy "$work/err" | head -3 >&2 || true
