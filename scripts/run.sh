#!/usr/bin/env bash
# Installs what is missing, builds, and starts todod in the foreground on an embedded
# RocksDB in the default data directory ($XDG_DATA_HOME/todo, i.e. ~/.local/share/todo),
# listening on the default endpoint (ipc://$XDG_RUNTIME_DIR/todo/todod.sock, or
# ipc:///tmp/todo-$UID/todod.sock). Extra arguments go to todod (see --help).
# Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
exec "${TODO_BUILD_DIR:-build}/daemon/todod" "$@"
