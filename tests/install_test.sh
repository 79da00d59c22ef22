#!/usr/bin/env bash
# cmake --install puts the binaries, the systemd units, the sysusers entry, the man
# pages and the shell completions where systemd, man and the shells look for them.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d /tmp/todo-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
for file in bin/todod bin/todo lib/systemd/system/todod.service lib/systemd/user/todod.service \
            lib/sysusers.d/todo.conf share/doc/todo/README.md share/man/man1/todo.1 \
            share/man/man8/todod.8 share/bash-completion/completions/todo \
            share/zsh/vendor-completions/_todo share/fish/vendor_completions.d/todo.fish; do
  [ -e "$prefix/$file" ] || { echo "missing after install: $file"; exit 1; }
done
[ -x "$prefix/bin/todod" ] && [ -x "$prefix/bin/todo" ] || { echo "binaries not executable"; exit 1; }
"$prefix/bin/todod" --version | grep -q '^todod ' || { echo "installed todod does not run"; exit 1; }
echo "installed: $(cd "$prefix" && find . -type f | sort | tr '\n' ' ')"
