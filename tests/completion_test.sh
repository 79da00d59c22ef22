#!/usr/bin/env bash
# completion/todo.bash against the real todo and todod: it registers for todo,
# offers every command of `todo help`, every option of `todo --help` and of each
# `todo help COMMAND` (so it cannot fall behind them unnoticed), completes a
# prefix, and completes list names from a running todod, given --endpoint as
# bash splits it at ':' and '='. Each completion runs in a fresh `bash --norc`,
# as in an interactive shell, with COMP_WORDS split as bash splits a line.
# Usage: completion_test.sh TODO TODOD COMPLETION_SCRIPT
set -euo pipefail
todo=$1
todod=$2
completion=$3
dir=$(mktemp -d /tmp/todo-completion-XXXXXX)
todod_pid=
cleanup() {
  if [ -n "$todod_pid" ]; then
    kill -TERM "$todod_pid" 2>/dev/null || true
    wait "$todod_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
# The completion runs `todo` as typed, found on PATH.
PATH="$(dirname "$todo"):$PATH"
export PATH
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Prints the candidates for LINE, completed at its end, one a line, sorted.
complete_line() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  bash --norc -c '
    source "$1"
    COMP_LINE=$2
    COMP_POINT=${#2}
    read -ra pieces <<<"$2"
    [[ $2 == *" " ]] && pieces+=("")
    # Bash also breaks words at = and :, each one a word of its own.
    COMP_WORDS=()
    for piece in "${pieces[@]}"; do
      [[ -z $piece ]] && COMP_WORDS+=("")
      while [[ $piece =~ ^([^=:]*)([=:])(.*)$ ]]; do
        [[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
        COMP_WORDS+=("${BASH_REMATCH[2]}")
        piece=${BASH_REMATCH[3]}
      done
      [[ -n $piece ]] && COMP_WORDS+=("$piece")
    done
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _todo todo "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sed "/^\$/d" | LC_ALL=C sort' _ "$completion" "$1"
}

# expect LINE CANDIDATES: the candidates for LINE are exactly CANDIDATES (one a line).
expect() {
  local got
  got=$(complete_line "$1")
  [ "$got" = "$(LC_ALL=C sort <<<"$2" | sed '/^$/d')" ] ||
    fail "'$1' completes to [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$2")]"
}

# expect_offered LINE WORD...: each WORD is among the candidates for LINE.
expect_offered() {
  local line=$1 got word
  shift
  got=$(complete_line "$line")
  for word in "$@"; do
    grep -qxF -- "$word" <<<"$got" || fail "'$line' does not offer '$word'"
  done
}

registered=$(bash --norc -c 'source "$1"; complete -p todo' _ "$completion") ||
  fail "sourcing $completion registers no completion for todo"
[ "$registered" = "complete -F _todo todo" ] || fail "complete -p todo says: $registered"

commands=$("$todo" help | sed -n 's/^  \([a-z][a-z]*\).*/\1/p')
[ -n "$commands" ] || fail "todo help names no command"
expect "todo " "$commands"
expect "todo dr" "drop"
expect "todo help d" $'delete\ndone\ndrop'
global_options=$("$todo" --help | grep -oE '^  (-h,)?--[a-z][a-z-]*' | sed 's/^  \(-h,\)\{0,1\}//')
expect "todo --" "$global_options"
expect "todo --json --timeout 100 dr" "drop"
for command in $commands; do
  # The options `todo help COMMAND` names, offered after the command's first argument.
  first_arguments="L"
  [ "$command" = token ] && first_arguments="add NAME"
  # shellcheck disable=SC2046 # one option a word
  expect_offered "todo $command $first_arguments --" --help \
    $("$todo" help "$command" | grep -oE -- '--[a-z][a-z-]*' | sort -u)
done

"$todod" --data-dir "$dir/data" --listen "ipc://$dir/todod.sock" --no-sync 2>"$dir/todod.log" &
todod_pid=$!
endpoint="ipc://$dir/todod.sock"
for _ in $(seq 100); do
  "$todo" --endpoint "$endpoint" --timeout 200 ping >/dev/null 2>&1 && break
  kill -0 "$todod_pid" 2>/dev/null || { cat "$dir/todod.log"; exit 1; }
  sleep 0.1
done
for list in alpha alpha2 alpine beta "my list" work:home; do
  "$todo" --endpoint "$endpoint" add "$list" today something >/dev/null
done

expect "todo --endpoint $endpoint entries al" $'alpha\nalpha2\nalpine'
expect "todo --endpoint $endpoint done " $'alpha\nalpha2\nalpine\nbeta\nmy\\ list\nwork:home'
expect "todo --endpoint $endpoint delete alpha" $'alpha\nalpha2'
expect "todo --endpoint $endpoint done my" 'my\ list'
expect "todo --endpoint=$endpoint drop work:" "home"
expect "todo --endpoint $endpoint lists --after b" "beta"
expect "todo --endpoint $endpoint entries alpha " ""
expect "todo --endpoint $endpoint entries alpha --l" "--limit"

# Nobody listening: no candidate and no error, at once.
started=$SECONDS
errors=$(complete_line "todo --endpoint ipc://$dir/nobody.sock add " 2>&1 >/dev/null)
[ -z "$errors" ] || fail "completing against no todod prints: $errors"
expect "todo --endpoint ipc://$dir/nobody.sock add " ""
((SECONDS - started < 5)) || fail "completing against no todod took $((SECONDS - started)) s"

if [ "$failures" -gt 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "bash completion: every command and option, list names from todod"
