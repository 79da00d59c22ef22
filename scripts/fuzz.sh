#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang into build-fuzz/ (or $TODO_FUZZ_BUILD_DIR)
# and runs each, one after the other, for SECONDS (default 60) on a copy of its seed corpus.
# Exits non-zero when a target finds a crash, a broken property, undefined behaviour, a leak, a
# hang or an outsized allocation; the input that did it is kept in
# <build>/fuzz-runs/<target>/findings/ and its path printed. `<build>/tests/fuzz/<target>_fuzzer
# FILE` replays it; once the bug is fixed, keep the file in tests/fuzz/crashers/<target>/.
#
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build_dir=${TODO_FUZZ_BUILD_DIR:-build-fuzz}

./scripts/install-deps.sh fuzz
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTODO_FUZZ=ON \
  >/dev/null
cmake --build "$build_dir" -j"${TODO_JOBS:-2}"

# The longest input worth trying. request_decoder: kMaxRequestBytes, as todod refuses larger
# requests before decoding them. stored_data: twice the longest valid stored value (an entry
# with a 4096-byte title takes 4122 bytes), as nothing longer reaches new code.
declare -A max_len=([request_decoder]=65536 [stored_data]=8192)

failed=()
for target in request_decoder stored_data; do
  run_dir=$build_dir/fuzz-runs/$target
  rm -rf "$run_dir"
  mkdir -p "$run_dir/corpus" "$run_dir/findings"
  # libFuzzer adds every input that reaches new code to the corpus it is given; a copy keeps the
  # committed corpus small and made by hand.
  cp tests/fuzz/corpus/"$target"/* "$run_dir/corpus/"
  # -timeout: a decode takes microseconds, so an input that takes 10 s is a hang even on a loaded
  # machine. -malloc_limit_mb: no decode of at most 64 KiB may ask for 64 MiB at once (the
  # decoders promise never to allocate more than the input justifies); -rss_limit_mb bounds the
  # whole process.
  status=0
  UBSAN_OPTIONS=print_stacktrace=1 "$build_dir/tests/fuzz/${target}_fuzzer" "$run_dir/corpus" \
    -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=10 \
    -rss_limit_mb=1024 -malloc_limit_mb=64 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$run_dir/findings/" >"$run_dir/log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run_dir/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run_dir/log")
  mapfile -t findings < <(find "$run_dir/findings" -type f)
  if [ "$status" -ne 0 ] || [ ${#findings[@]} -ne 0 ]; then
    failed+=("$target")
    tail -n 60 "$run_dir/log" >&2
    echo "$target: FAILED (exit $status) after ${runs:-?} inputs; log: $run_dir/log" >&2
    for finding in "${findings[@]}"; do echo "$target: input kept in $finding" >&2; done
  else
    echo "$target: ${runs} inputs in ${seconds} s (${rate}/s), no crash, leak or hang"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
