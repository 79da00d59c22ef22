#!/usr/bin/env bash
# todod side by side with Redis on the same work, same machine, same run (not part of the
# test suite). Installs redis-server and redis-tools if missing; starts Redis on a unix socket
# with appendonly yes + appendfsync always (fsync before replying, as todod --sync); runs
# redis-benchmark (LPUSH to a random key among 10,000 = add; LRANGE 0 99 over 1,000 keys of
# 100 elements = read), then todo-bench against todod --sync on ipc:// and against --echo,
# with the same connections and in-flight depth (-P); prints one table with the ratios.
# Usage: bench/compare-with-redis.sh [SECONDS_PER_RUN]   (after ./scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
connections=64
build=${TODO_BUILD_DIR:-build}

./scripts/install-deps.sh bench

work=$(mktemp -d /tmp/todo-vs-redis-XXXXXX)
cleanup() {
  [ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null || true
  [ -n "${todod_pid:-}" ] && kill "$todod_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port 0 --unixsocket "$work/redis.sock" --dir "$work" --appendonly yes \
  --appendfsync always --save '' --daemonize no --loglevel warning &
redis_pid=$!
for _ in $(seq 100); do redis-cli -s "$work/redis.sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
# 1,000 lists of 100 elements, under the names redis-benchmark's __rand_int__ makes.
for k in $(seq 0 999); do
  printf 'RPUSH read:%012d' "$k"
  for i in $(seq 100); do printf ' entry-%030d' "$i"; done
  printf '\n'
done | redis-cli -s "$work/redis.sock" >/dev/null

"$build/daemon/todod" --data-dir "$work/todo-data" --listen "ipc://$work/todod.sock" --sync \
  2>"$work/todod.log" &
todod_pid=$!
for _ in $(seq 100); do "$build/cli/todo" --endpoint "ipc://$work/todod.sock" ping >/dev/null 2>&1 && break; sleep 0.1; done

. bench/figures.sh
# redis-benchmark --csv: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",...
redis_run() { # in_flight requests keyspace command...
  local in_flight=$1 requests=$2 keyspace=$3; shift 3
  redis-benchmark -s "$work/redis.sock" -c "$connections" -P "$in_flight" -n "$requests" \
    -r "$keyspace" --csv "$@" | tail -1 | tr -d '"' | awk -F, '{printf "%.0f %.1f %.1f\n", $2, $5*1000, $7*1000}'
}
bench_run() { # endpoint in_flight workload [--echo]
  "$build/bench/todo-bench" --endpoint "$1" -c "$connections" -w "$2" --workload "$3" \
    --duration "$seconds" --warmup 1 --json "${@:4}" |
    { read -r json; echo "$(echo "$json" | field ops_per_second) $(echo "$json" | field p50_us) $(echo "$json" | field p99_us)"; }
}

title=$(printf 't%.0s' $(seq 30))
printf '%-6s %-3s | %-28s | %-28s | %-28s | %-13s %-13s\n' workload W \
  "Redis ops/s p50 p99 (us)" "todod ops/s p50 p99 (us)" "echo ops/s p50 p99 (us)" todod/Redis todod/echo
for workload in add read; do
  for in_flight in 1 16; do
    requests=$((in_flight == 1 ? 150000 * seconds : 600000 * seconds))
    if [ "$workload" = add ]; then
      redis=$(redis_run "$in_flight" "$requests" 10000 LPUSH "add:__rand_int__" "$title")
    else
      redis=$(redis_run "$in_flight" $((requests / 3)) 1000 LRANGE "read:__rand_int__" 0 99)
    fi
    todod=$(bench_run "ipc://$work/todod.sock" "$in_flight" "$workload")
    echo_=$(bench_run "ipc://$work/echo.sock" "$in_flight" "$workload" --echo)
    read -r r_ops r_p50 r_p99 <<<"$redis"
    read -r t_ops t_p50 t_p99 <<<"$todod"
    read -r e_ops e_p50 e_p99 <<<"$echo_"
    printf '%-6s %-3s | %9s %8s %9s | %9s %8s %9s | %9s %8s %9s | %-13s %-13s\n' \
      "$workload" "$in_flight" "$r_ops" "$r_p50" "$r_p99" "$t_ops" "$t_p50" "$t_p99" \
      "$e_ops" "$e_p50" "$e_p99" "$(awk "BEGIN{printf \"%.2f\", $t_ops/$r_ops}")" \
      "$(awk "BEGIN{printf \"%.2f\", $t_ops/$e_ops}")"
  done
done
