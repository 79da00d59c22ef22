#!/usr/bin/env bash
# todod over HTTP, side by side in one run with todod over ZeroMQ and with nginx (not part of
# the test suite). Installs wrk and nginx-light if missing. Starts todod --sync with --http on
# 127.0.0.1 and its ZeroMQ socket on ipc://, and nginx serving a fixed 2 KiB file; then, at
# the same 64 connections with keep-alive:
#   - adds: wrk POST /api/v1/lists/{list}/entries over 1,000 lists, against todo-bench's add
#     workload on the ZeroMQ socket at one request in flight per connection;
#   - reads: wrk GET /entries (the book's text route) of 100-entry lists, against nginx's
#     2 KiB file;
#   - the book's load mix: 4 reads to 1 add over 1,000 lists, on the book's routes.
# Prints requests/s, p50 and p99 of each, and the ratios. wrk and todod share the two cores.
# Usage: bench/http-vs-zeromq.sh [SECONDS_PER_RUN]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
connections=64
build=${TODO_BUILD_DIR:-build}

./scripts/install-deps.sh bench

work=$(mktemp -d /tmp/todo-http-bench-XXXXXX)
cleanup() {
  [ -n "${todod_pid:-}" ] && kill "$todod_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

endpoint="ipc://$work/todod.sock"
"$build/daemon/todod" --data-dir "$work/todo-data" --listen "$endpoint" --sync \
  --http 127.0.0.1:0 2>"$work/todod.log" &
todod_pid=$!
for _ in $(seq 100); do grep -q ' serving ' "$work/todod.log" 2>/dev/null && break; sleep 0.1; done
todo_url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/todod.log" | head -1)
todo() { "$build/cli/todo" --endpoint "$endpoint" "$@"; }
export TODO_TOKEN
TODO_TOKEN=$(todo token add bench)

# 1,000 lists of 100 entries for the reads, as compare-with-redis.sh reads 100 elements.
for k in $(seq 0 999); do
  for i in $(seq 100); do echo "add read-$k 2026-12-02 entry-$(printf '%030d' "$i")"; done
done | todo batch >/dev/null

# nginx: one worker per core, keep-alive, a 2 KiB file, on a port of its own.
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/www"
head -c 2048 /dev/zero | tr '\0' x >"$work/www/fixed.txt"
# nginx's workers run as another user, who must reach the file.
chmod o+x "$work" "$work/www" && chmod o+r "$work/www/fixed.txt"
cat >"$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx-body;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
EOF
nginx -c "$work/nginx.conf"

# wrk --latency prints "50%  1.23ms" lines; in microseconds.
wrk_run() { # url script
  local output
  output=$(wrk -t 2 -c "$connections" -d "${seconds}s" --latency ${2:+-s "$2"} "$1")
  local rps p50 p99
  rps=$(echo "$output" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  p50=$(echo "$output" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$output" | awk '$1 == "99%" {print $2}')
  if echo "$output" | grep -q 'Non-2xx\|error'; then echo "$output" >&2; fi
  echo "$rps $(to_us "$p50") $(to_us "$p99")"
}
to_us() {
  awk -v t="$1" 'BEGIN {
    if (t ~ /us$/) { sub(/us$/, "", t); printf "%.0f", t }
    else if (t ~ /ms$/) { sub(/ms$/, "", t); printf "%.0f", t * 1000 }
    else if (t ~ /s$/) { sub(/s$/, "", t); printf "%.0f", t * 1000000 } }'
}
. bench/figures.sh
zmq_run() { # workload
  "$build/bench/todo-bench" --endpoint "$endpoint" -c "$connections" -w 1 --workload "$1" \
    --duration "$seconds" --warmup 1 --json |
    { read -r json; echo "$(echo "$json" | field ops_per_second) $(echo "$json" | field p50_us) $(echo "$json" | field p99_us)"; }
}

http_add=$(wrk_run "$todo_url" bench/http/add.lua)
zmq_add=$(zmq_run add)
http_read=$(wrk_run "$todo_url" bench/http/read.lua)
nginx_read=$(wrk_run "http://127.0.0.1:$nginx_port/fixed.txt" "")
book_mix=$(wrk_run "$todo_url" bench/http/book-mix.lua)

ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }
printf '%-34s | %-26s | %-26s | %s\n' "$connections connections, keep-alive" \
  "requests/s p50 p99 (us)" "baseline/s p50 p99 (us)" ratio
row() { # name measured baseline
  read -r m_ops m_p50 m_p99 <<<"$2"
  if [ -n "$3" ]; then
    read -r b_ops b_p50 b_p99 <<<"$3"
    printf '%-34s | %9s %7s %8s | %9s %7s %8s | %s\n' "$1" "$m_ops" "$m_p50" "$m_p99" \
      "$b_ops" "$b_p50" "$b_p99" "$(ratio "$m_ops" "$b_ops")"
  else
    printf '%-34s | %9s %7s %8s |\n' "$1" "$m_ops" "$m_p50" "$m_p99"
  fi
}
row "add: HTTP POST vs ZeroMQ" "$http_add" "$zmq_add"
row "read 100: GET /entries vs nginx 2K" "$http_read" "$nginx_read"
row "book mix 4 reads : 1 add" "$book_mix" ""
