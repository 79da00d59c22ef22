#!/usr/bin/env bash
# Installs what is missing, builds, and runs the engine on an embedded RocksDB in the
# default data directory ($XDG_DATA_HOME/todo, i.e. ~/.local/share/todo).
# Until todod exists, this runs the in-process load test against that directory.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
data_dir=${TODO_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/todo}
exec "${TODO_BUILD_DIR:-build}/bench/todo-loadtest" --data-dir "$data_dir" --lists 100000 "$@"
