#!/usr/bin/env bash
# Installs what is missing, builds, and starts todod in the foreground on an embedded
# RocksDB in the default data directory ($XDG_DATA_HOME/todo, i.e. ~/.local/share/todo),
# listening on the default endpoint (ipc://$XDG_RUNTIME_DIR/todo/todod.sock, or
# ipc:///tmp/todo-$UID/todod.sock) and on HTTP at 127.0.0.1:5454 (the book's port; TODO_HTTP
# picks another). Extra arguments go to todod (see --help).
#
# The web page needs an access token: the first time, this makes one for you (`todo token
# add web-USER`), keeps its secret in ~/.config/todo/web-token (mode 0600: only you can read
# it), and every time prints a URL that opens the page signed in. The secret travels in the
# URL's fragment (after #), which the browser never sends to a server.
# Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
build=${TODO_BUILD_DIR:-build}
http=${TODO_HTTP:-127.0.0.1:5454}

# The endpoint todo must use: the last --listen given, else todod's default.
endpoint=${TODO_ENDPOINT:-}
previous=
for argument in "$@"; do
  case "$argument" in
    --listen=*) endpoint=${argument#--listen=} ;;
    *) [ "$previous" = --listen ] && endpoint=$argument ;;
  esac
  previous=$argument
done
todo=("$build/cli/todo")
[ -n "$endpoint" ] && todo+=(--endpoint "$endpoint")

"$build/daemon/todod" --http "$http" "$@" &
todod_pid=$!
# A script's background job ignores Ctrl-C's SIGINT: pass it on as SIGTERM.
trap 'kill -TERM "$todod_pid" 2>/dev/null || true' INT TERM
for _ in $(seq 100); do
  "${todo[@]}" ping >/dev/null 2>&1 && break
  kill -0 "$todod_pid" 2>/dev/null || break
  sleep 0.1
done

url="http://$http"
token_file=${XDG_CONFIG_HOME:-$HOME/.config}/todo/web-token
token_name=web-$(id -un | tr -c 'A-Za-z0-9._\n-' '_')
# The secret goes to curl on its stdin (printf is a builtin): on its command
# line, any local user could read it in ps.
is_valid_token() {
  [ -s "$token_file" ] || return 1
  [ "$(printf 'Authorization: Bearer %s\n' "$(cat "$token_file")" |
    curl -s -o /dev/null -w '%{http_code}' -H @- "$url/api/v1/status")" = 200 ]
}
if kill -0 "$todod_pid" 2>/dev/null && ! is_valid_token; then
  # Its secret is gone (or it was revoked): only a new one can be shown.
  "${todo[@]}" token revoke "$token_name" >/dev/null 2>&1 || true
  mkdir -p "$(dirname "$token_file")"
  (umask 077 && "${todo[@]}" token add "$token_name" >"$token_file.new" 2>/dev/null) &&
    mv "$token_file.new" "$token_file"
fi
if is_valid_token; then
  echo "todo: the web page, signed in: $url/#token=$(cat "$token_file")" >&2
fi

status=0
wait "$todod_pid" || status=$?
# A Ctrl-C interrupts the first wait; the second is for todod's own exit.
if kill -0 "$todod_pid" 2>/dev/null; then
  status=0
  wait "$todod_pid" || status=$?
fi
exit "$status"
