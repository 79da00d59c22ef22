# Sourced by the bench scripts that run a todod of their own: a scratch
# directory removed at exit, an ipc:// endpoint in it, start_todod ARGS... /
# stop_todod, and field and median (bench/figures.sh). Expects $build to be set.
. bench/figures.sh
work=$(mktemp -d /tmp/todo-bench-XXXXXX)
endpoint="ipc://$work/todod.sock"
todod_pid=
cleanup() {
  [ -n "${todod_pid:-}" ] && kill "$todod_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts todod ($todod_binary, by default the build's) on $work/data and waits
# for its "serving" line; fails, with todod's own words, if it exits first (a
# bad option, say).
start_todod() {
  : > "$work/log"
  "${todod_binary:-$build/daemon/todod}" --data-dir "$work/data" --listen "$endpoint" "$@" 2>> "$work/log" &
  todod_pid=$!
  until grep -q ' serving ' "$work/log"; do
    if ! kill -0 "$todod_pid" 2>/dev/null; then
      cat "$work/log" >&2
      todod_pid=
      return 1
    fi
    sleep 0.005
  done
}

stop_todod() {
  kill "$todod_pid"
  wait "$todod_pid"
  todod_pid=
}
