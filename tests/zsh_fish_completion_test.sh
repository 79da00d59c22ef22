#!/usr/bin/env bash
# completion/_todo and completion/todo.fish, with the shell they are for: zsh
# must parse _todo; fish must offer every command of `todo help` and every option
# of `todo --help`, through `complete -C`. scripts/install-deps.sh installs both.
# Usage: zsh_fish_completion_test.sh zsh|fish TODO COMPLETION_DIR
set -euo pipefail
shell=$1
todo=$2
completion_dir=$3
if ! command -v "$shell" >/dev/null; then
  echo "FAIL: no $shell on PATH to check completion/ with (scripts/install-deps.sh installs it)"
  exit 1
fi
PATH="$(dirname "$todo"):$PATH"
export PATH
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

case $shell in
  zsh)
    zsh -n "$completion_dir/_todo" || fail "zsh cannot parse _todo"
    ;;
  fish)
    # The candidates for LINE, without their descriptions, sorted.
    candidates() {
      # shellcheck disable=SC2016 # expanded by fish
      fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$completion_dir/todo.fish" "$1" |
        cut -f1 | LC_ALL=C sort
    }
    commands=$("$todo" help | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' | LC_ALL=C sort)
    [ "$(candidates "todo ")" = "$commands" ] ||
      fail "'todo ' completes to [$(candidates "todo " | tr '\n' ' ')], expected [$(tr '\n' ' ' <<<"$commands")]"
    [ "$(candidates "todo dr")" = drop ] || fail "'todo dr' does not complete to drop"
    global_options=$("$todo" --help | grep -oE '^  (-h,)?--[a-z][a-z-]*' |
      sed 's/^  \(-h,\)\{0,1\}//' | LC_ALL=C sort)
    [ "$(candidates "todo --")" = "$global_options" ] ||
      fail "'todo --' completes to [$(candidates "todo --" | tr '\n' ' ')], expected [$(tr '\n' ' ' <<<"$global_options")]"
    ;;
  *)
    echo "usage: $0 zsh|fish TODO COMPLETION_DIR" >&2
    exit 2
    ;;
esac

if [ "$failures" -gt 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "$shell completion: clean"
