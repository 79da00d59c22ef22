#!/usr/bin/env bash
# Builds everything with sanitizers and runs every test under them; exits non-zero when a test
# fails or when any sanitizer wrote a report.
#   scripts/sanitize.sh address   AddressSanitizer + UndefinedBehaviorSanitizer (and LeakSanitizer),
#                                 in build-asan/ (or $TODO_BUILD_DIR)
#   scripts/sanitize.sh thread    ThreadSanitizer, in build-tsan/ (or $TODO_BUILD_DIR)
# Extra arguments go to cmake's configure step.
#
# Exit codes alone would miss reports: the tests run the real todod and todo as child
# processes, and a test that ends with SIGKILL, or only checks the output of a child, never
# sees that child's exit code. So every sanitizer writes its reports to a fresh directory
# (log_path), and any file there fails the run, after it is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in
  address) default_build_dir=build-asan ;;
  thread) default_build_dir=build-tsan ;;
  *)
    echo "usage: $0 address|thread [cmake arguments...]" >&2
    exit 2
    ;;
esac
shift
export TODO_BUILD_DIR=${TODO_BUILD_DIR:-$default_build_dir}

reports=$(mktemp -d "${TMPDIR:-/tmp}/todo-sanitize-$mode-XXXXXX")
# Sticky and writable by all, as /tmp is: impostor_test runs a todod as a second user, whose
# reports must land here too.
chmod 1777 "$reports"
# detect_leaks: a leak is a report too. UBSan's checks are compiled not to recover, so its
# first report ends the process. TSan goes on after a report (exit code 66 at the end), so one
# run shows every race. The suppressions cover only the uninstrumented RocksDB and libzmq:
# tests/tsan.supp says why each one is there.
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1"
export TSAN_OPTIONS="log_path=$reports/tsan:suppressions=$PWD/tests/tsan.supp:second_deadlock_stack=1"

status=0
# The build runs the test programs too (Catch's test discovery), under the same options.
./scripts/build.sh -DTODO_SANITIZE="$mode" "$@" || status=$?
if [ "$status" -eq 0 ]; then
  ctest --test-dir "$TODO_BUILD_DIR" --output-on-failure -j"${TODO_JOBS:-2}" || status=$?
fi

shopt -s nullglob
written=("$reports"/*)
if [ ${#written[@]} -gt 0 ]; then
  for report in "${written[@]}"; do
    echo "==== $report"
    cat "$report"
  done
  echo "sanitize.sh: ${#written[@]} sanitizer report(s), kept in $reports" >&2
  exit 1
fi
rmdir "$reports"
if [ "$status" -ne 0 ]; then
  echo "sanitize.sh: tests failed under the $mode sanitizer (no report file written)" >&2
fi
exit "$status"
