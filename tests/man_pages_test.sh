#!/usr/bin/env bash
# The man pages as cmake --install ships them render without a warning, have a
# NAME line that whatis can index, and name every command of `todo help` and
# every option of `todo --help` and `todod --help`, so that neither page falls
# behind the binaries unnoticed.
# Usage: man_pages_test.sh TODO TODOD MAN_DIR (MAN_DIR holds man1/todo.1 and man8/todod.8)
set -euo pipefail
todo=$1
todod=$2
man_dir=$3
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The page as man shows it at 80 columns.
render() {
  MANWIDTH=80 man -l -E UTF-8 "$1" 2>/dev/null
}

# The lines of section $2 of the rendered page $1.
section() {
  render "$1" | sed -n "/^$2\$/,/^[A-Z]/p"
}

# The long options a --help text names at the start of its lines (--sync,--no-sync too).
options_of_help() {
  sed -n 's/^  \(-h,\)\{0,1\}\(--[a-z][a-z-]*\)\(,\(--[a-z][a-z-]*\)\)\{0,1\}.*/\2 \4/p' | tr ' ' '\n' |
    sed '/^$/d'
}

for page in "$man_dir/man1/todo.1" "$man_dir/man8/todod.8"; do
  [ -f "$page" ] || { fail "no page $page"; continue; }
  warnings=$(MANWIDTH=80 man --warnings -l -E UTF-8 "$page" 2>&1 >/dev/null) ||
    fail "man -l $page exits $?"
  [ -z "$warnings" ] || fail "man --warnings -l $page: $warnings"
  warnings=$(groff -man -ww -z "$page" 2>&1) || fail "groff -man -ww $page exits $?"
  [ -z "$warnings" ] || fail "groff -man -ww $page: $warnings"
  lexgrog "$page" >/dev/null || fail "whatis cannot read the NAME section of $page"
done

# A command or option is named where the page's section starts an item with it
# (an indented tag line), not merely mentioned in some sentence.
commands=$("$todo" help | sed -n 's/^  \([a-z][a-z]*\).*/\1/p')
[ -n "$commands" ] || fail "todo help names no command"
todo_commands=$(section "$man_dir/man1/todo.1" COMMANDS)
for command in $commands; do
  grep -qE "^       $command( |$)" <<<"$todo_commands" || fail "todo.1 COMMANDS lacks '$command'"
done

check_options() {
  local page=$1 help=$2 options
  options=$(section "$page" OPTIONS)
  for option in $(options_of_help <<<"$help"); do
    grep -qE -- "^       (.*, )?$option( |,|$)" <<<"$options" ||
      fail "$(basename "$page") OPTIONS lacks '$option'"
  done
}
check_options "$man_dir/man1/todo.1" "$("$todo" --help)"
check_options "$man_dir/man8/todod.8" "$("$todod" --help)"

if [ "$failures" -gt 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "man pages: clean, every command and option named"
