# fish completion for todo(1): its commands, global options, each command's
# options, and list names, asked of todod when it answers. cmake --install puts
# it in share/fish/vendor_completions.d; from the source tree:
#   source completion/todo.fish
# The commands are those of `todo help`, as in completion/todo.bash.

# "COMMAND N" for the command on the command line, N being which of its
# arguments the cursor is on (1 for the first); fails while the global options
# are being typed.
function __todo_command_position
    set -l words (commandline -opc)
    set -l i 2
    while test $i -le (count $words)
        switch $words[$i]
            case --endpoint --timeout --color --curve-key --server-key --config
                set i (math $i + 2)
            case '-*'
                set i (math $i + 1)
            case '*'
                echo $words[$i] (math (count $words) - $i + 1)
                return 0
        end
    end
    return 1
end

# Whether the cursor is on an argument of one of the commands in $commands
# (separated by spaces), and on the one numbered $argument when it is given.
function __todo_at --argument-names commands argument
    set -l position (__todo_command_position); or return 1
    set position (string split ' ' -- $position)
    contains -- $position[1] (string split ' ' -- $commands); or return 1
    test -z "$argument"; or test $position[2] = $argument
end

function __todo_is_token_add
    set -l words (commandline -opc)
    set -l at (contains -i -- token $words); or return 1
    set -l action (math $at + 1)
    test "$words[$action]" = add
end

# The list names from the todod that the global options point at: one page of
# at most 1000 names, from just before the prefix, so that a todod holding a
# million lists answers at once; one that does not answer within half a second
# gives none, and no error shows.
function __todo_list_names
    set -l words (commandline -opc)
    set -l connection
    set -l i 2
    while test $i -le (count $words)
        switch $words[$i]
            case --endpoint --curve-key --server-key --config
                set -l value (math $i + 1)
                set -a connection $words[$i] $words[$value]
                set i (math $i + 2)
            case --timeout --color
                set i (math $i + 2)
            case '--timeout=*' '--color=*' --json
                set i (math $i + 1)
            case '-*'
                set -a connection $words[$i]
                set i (math $i + 1)
            case '*'
                break
        end
    end
    set -l after (string sub --end -1 -- (commandline -ct))
    $words[1] $connection --timeout 500 lists --after "$after" --limit 1000 2>/dev/null </dev/null
end

complete -c todo -f

complete -c todo -n 'not __todo_command_position' -l endpoint -x -d "todod's ZeroMQ endpoint"
complete -c todo -n 'not __todo_command_position' -l timeout -x -d 'milliseconds to wait for todod'
complete -c todo -n 'not __todo_command_position' -l json -d 'print JSON, for scripts'
complete -c todo -n 'not __todo_command_position' -l color -x -a 'auto always never' -d 'colour done and overdue entries'
complete -c todo -n 'not __todo_command_position' -l curve-key -r -F -d "this client's CURVE key pair"
complete -c todo -n 'not __todo_command_position' -l server-key -r -F -d "todod's CURVE public key, or its file"
complete -c todo -n 'not __todo_command_position' -l insecure-tcp -d 'tcp:// without CURVE, to loopback only'
complete -c todo -n 'not __todo_command_position' -l config -r -F -d 'read options from this file'
complete -c todo -n 'not __todo_command_position' -l version -d 'print the version'
complete -c todo -n 'not __todo_command_position' -s h -l help -d 'print the usage'

complete -c todo -n 'not __todo_command_position' -a add -d 'add an entry; prints its id'
complete -c todo -n 'not __todo_command_position' -a entries -d 'entries in id order'
complete -c todo -n 'not __todo_command_position' -a show -d 'one entry'
complete -c todo -n 'not __todo_command_position' -a agenda -d 'pending entries of every list, by date'
complete -c todo -n 'not __todo_command_position' -a update -d 'change an entry'
complete -c todo -n 'not __todo_command_position' -a done -d 'mark an entry done'
complete -c todo -n 'not __todo_command_position' -a undone -d 'mark an entry not done'
complete -c todo -n 'not __todo_command_position' -a delete -d 'delete an entry'
complete -c todo -n 'not __todo_command_position' -a lists -d 'names of the lists that hold entries'
complete -c todo -n 'not __todo_command_position' -a undo -d 'revert the last change, to a list or to any'
complete -c todo -n 'not __todo_command_position' -a rename -d 'give a list another name'
complete -c todo -n 'not __todo_command_position' -a move -d 'move an entry to another list'
complete -c todo -n 'not __todo_command_position' -a drop -d 'delete a whole list'
complete -c todo -n 'not __todo_command_position' -a ping -d 'version, uptime and counters'
complete -c todo -n 'not __todo_command_position' -a batch -d 'commands from stdin, one per line'
complete -c todo -n 'not __todo_command_position' -a export -d 'every entry as one JSON line'
complete -c todo -n 'not __todo_command_position' -a import -d 'add entries from todo export or Taskwarrior'
complete -c todo -n 'not __todo_command_position' -a backup -d 'a consistent backup of every list and token'
complete -c todo -n 'not __todo_command_position' -a help -d "every command's usage, or one's"
complete -c todo -n 'not __todo_command_position' -a keygen -d 'write a CURVE key pair for tcp://'
complete -c todo -n 'not __todo_command_position' -a token -d 'access tokens for the HTTP API'

complete -c todo -n '__todo_command_position' -s h -l help -d "show the command's usage"
complete -c todo -n "__todo_at 'add entries show update done undone delete undo rename move drop' 1" -a '(__todo_list_names)'
complete -c todo -n '__todo_at move 3' -a '(__todo_list_names)'
complete -c todo -n '__todo_at add 2' -a 'today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday eow eom eoy +1d +1w +1m'
complete -c todo -n '__todo_at add' -l date -x -a 'today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday eow eom eoy +1d +1w +1m' -d "the entry's date"
complete -c todo -n '__todo_at entries 2' -a 'today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday eow eom eoy +1d +1w +1m'
complete -c todo -n '__todo_at entries' -l after -x -d 'entries with ids above this one'
complete -c todo -n '__todo_at entries' -l limit -x -d 'at most this many entries, 1 to 1000'
complete -c todo -n '__todo_at entries' -l pending -d 'only entries not done'
complete -c todo -n '__todo_at entries' -l done -d 'only entries done'
complete -c todo -n '__todo_at entries' -l from -x -a 'today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday eow eom eoy +1d +1w +1m' -d 'entries dated from this day'
complete -c todo -n '__todo_at entries' -l to -x -a 'today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday eow eom eoy +1d +1w +1m' -d 'entries dated up to this day'
complete -c todo -n '__todo_at entries' -l search -x -d 'entries whose title holds this text'
complete -c todo -n '__todo_at entries' -l tag -x -d 'entries tagged so'
complete -c todo -n '__todo_at agenda' -l days -x -d 'how many days after today, 7 unless given'
complete -c todo -n '__todo_at agenda' -l tag -x -d 'entries tagged so'
complete -c todo -n '__todo_at update' -l date -x -a 'today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday eow eom eoy +1d +1w +1m' -d 'the new date'
complete -c todo -n '__todo_at update' -l title -x -d 'the new title'
complete -c todo -n '__todo_at update' -l tag -x -d 'add this tag'
complete -c todo -n '__todo_at update' -l untag -x -d 'remove this tag'
complete -c todo -n '__todo_at drop' -s y -l yes -d 'drop without asking'
complete -c todo -n '__todo_at lists' -l after -x -a '(__todo_list_names)' -d 'names after this one'
complete -c todo -n '__todo_at lists' -l limit -x -d 'at most this many names, 1 to 1000'
complete -c todo -n '__todo_at batch' -l retry -d 'send again what a lost connection left unanswered'
complete -c todo -n '__todo_at export' -a '(__todo_list_names)'
complete -c todo -n '__todo_at import' -l list -x -a '(__todo_list_names)' -d 'where tasks without a project go'
complete -c todo -n '__todo_at backup 1' -F
complete -c todo -n '__todo_at backup' -l keep -x -d 'delete all but the newest N backups'
complete -c todo -n '__todo_at help 1' -a 'add entries show agenda update done undone delete undo rename move lists drop ping batch export import backup help keygen token'
complete -c todo -n '__todo_at keygen 1' -F
complete -c todo -n '__todo_at token 1' -a 'add list revoke'
complete -c todo -n '__todo_is_token_add' -l lists -x -d "a list name, or a prefix and '*'"
complete -c todo -n '__todo_is_token_add' -l read-only -d 'the token may not change lists'
