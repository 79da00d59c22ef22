# bash completion for todo(1): its commands, global options, each command's
# options, and list names, asked of todod when it answers.
#
# cmake --install puts it where bash-completion loads it on first use
# (share/bash-completion/completions/todo); from the source tree:
#   source completion/todo.bash
# The commands are those of `todo help`; tests/completion_test.sh fails when one
# is missing here.

_todo_commands=(add entries show agenda update 'done' undone delete undo rename move lists drop ping
  batch export import backup help keygen token)
_todo_global_options=(--endpoint --timeout --json --color --curve-key --server-key --insecure-tcp
  --config --version --help)

# The list names that start with $1, one a line, quoted for the shell, from the
# todod that the global options on the command line point at. One page of at
# most 1000 names, from just before the prefix, so that a todod holding a
# million lists answers at once; one that does not answer within half a second
# gives none, and no error shows.
_todo_list_names() {
  local prefix=$1 name
  "${_todo_words[0]}" "${_todo_connection[@]}" --timeout 500 \
    lists --after "${prefix%?}" --limit 1000 2>/dev/null </dev/null |
    while IFS= read -r name; do
      [[ $name == "$prefix"* ]] && printf '%q\n' "$name"
    done
}

# COMPREPLY: those of the words given that start with the current word.
_todo_reply() {
  local IFS=$'\n'
  # shellcheck disable=SC2207 # one candidate a line, as IFS says
  COMPREPLY=($(compgen -W "$*" -- "$_todo_cur"))
}

_todo_reply_list_names() {
  local IFS=$'\n'
  # shellcheck disable=SC2207
  COMPREPLY=($(_todo_list_names "$_todo_cur"))
}

_todo_reply_files() {
  local IFS=$'\n'
  # shellcheck disable=SC2207
  COMPREPLY=($(compgen -f -- "$_todo_cur"))
}

# _todo_words and _todo_cword: COMP_WORDS and COMP_CWORD with the words that
# bash split at '=' and ':' (COMP_WORDBREAKS) joined again as they were typed,
# so that ipc:///PATH, --endpoint=E and a list name holding ':' are one word
# each. A word that touches the one before it in COMP_LINE is part of it.
_todo_join_words() {
  local i at=0 gap
  _todo_words=()
  for i in "${!COMP_WORDS[@]}"; do
    gap=${COMP_LINE:at}
    gap=${gap%%[^[:space:]]*}
    ((at += ${#gap}))
    if ((i == 0 || ${#gap} > 0)); then
      _todo_words+=("${COMP_WORDS[i]}")
    else
      _todo_words[-1]+=${COMP_WORDS[i]}
    fi
    ((i == COMP_CWORD)) && _todo_cword=$((${#_todo_words[@]} - 1))
    ((at += ${#COMP_WORDS[i]}))
  done
}

# COMPREPLY for _todo_words[_todo_cword], _todo_cur.
_todo_complete() {
  local prev=${_todo_words[_todo_cword - 1]}
  # Past the global options to the command; those that say which todod to ask
  # are kept for `todo lists`.
  local i=1 command_at=0
  while ((i < _todo_cword)); do
    case ${_todo_words[i]} in
      --endpoint | --curve-key | --server-key | --config)
        _todo_connection+=("${_todo_words[@]:i:2}")
        ((i += 2))
        ;;
      --timeout | --color) ((i += 2)) ;;
      --timeout=* | --color=* | --json | --version | --help | -h) ((i += 1)) ;;
      -*)
        _todo_connection+=("${_todo_words[i]}")
        ((i += 1))
        ;;
      *)
        command_at=$i
        break
        ;;
    esac
  done

  if ((command_at == 0)); then
    case $prev in
      --curve-key | --server-key | --config) _todo_reply_files ;;
      --color) _todo_reply auto always never ;;
      --endpoint | --timeout) ;;
      *)
        if [[ $_todo_cur == -* ]]; then
          _todo_reply "${_todo_global_options[@]}"
        else
          _todo_reply "${_todo_commands[@]}"
        fi
        ;;
    esac
    return
  fi

  local command=${_todo_words[command_at]}
  # Which of the command's arguments is being completed: 1 for the first.
  local argument=$((_todo_cword - command_at))
  local -a options=()
  case $command in
    add)
      options=(--date)
      ((argument == 1)) && [[ $_todo_cur != -* ]] && _todo_reply_list_names
      ;;
    show | done | undone | delete | undo)
      ((argument == 1)) && _todo_reply_list_names
      ;;
    rename)
      ((argument == 1)) && _todo_reply_list_names
      ;;
    move)
      ((argument == 1 || argument == 3)) && _todo_reply_list_names
      ;;
    entries | lists)
      options=(--after --limit)
      [[ $command == entries ]] && options+=(--pending --done --from --to --search --tag)
      if [[ $command == entries && $argument == 1 && $_todo_cur != -* ]] ||
        [[ $command == lists && $prev == --after ]]; then
        _todo_reply_list_names
      fi
      ;;
    update)
      options=(--date --title --tag --untag)
      ((argument == 1)) && _todo_reply_list_names
      ;;
    drop)
      options=(--yes)
      ((argument == 1)) && [[ $_todo_cur != -* ]] && _todo_reply_list_names
      ;;
    agenda) options=(--days --tag) ;;
    batch) options=(--retry) ;;
    export)
      [[ $_todo_cur != -* ]] && _todo_reply_list_names
      ;;
    import)
      options=(--list)
      [[ $prev == --list ]] && _todo_reply_list_names
      ;;
    backup)
      options=(--keep)
      [[ $_todo_cur != -* && $prev != --keep ]] && _todo_reply_files
      ;;
    help)
      ((argument == 1)) && _todo_reply "${_todo_commands[@]}"
      ;;
    keygen)
      ((argument == 1)) && _todo_reply_files
      ;;
    token)
      if ((argument == 1)); then
        _todo_reply add list revoke
      elif [[ ${_todo_words[command_at + 1]} == add ]] && ((argument > 2)); then
        options=(--lists --read-only)
      fi
      ;;
  esac
  [[ $_todo_cur == -* ]] && _todo_reply "${options[@]}" --help
}

_todo() {
  local -a _todo_words _todo_connection
  local _todo_cword _todo_cur
  _todo_join_words
  _todo_cur=${_todo_words[_todo_cword]}
  _todo_complete
  # Bash replaces only the word's last piece, after its last ':' or '=' (as
  # bash-completion's __ltrim_colon_completions says): each candidate goes
  # without what comes before.
  local before=${_todo_cur%"${_todo_cur##*[:=]}"}
  [[ -n $before ]] && COMPREPLY=("${COMPREPLY[@]#"$before"}")
  return 0
}

complete -F _todo todo
