# Sourced by the bench scripts: reading their figures.
#   field NAME   the number after "NAME": in the JSON on stdin (todo-bench, todo-loadtest)
#   median       the median of the numbers on stdin, one a line
field() { grep -o "\"$1\": [0-9.]*" | awk '{print $2}'; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
