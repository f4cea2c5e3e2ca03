#!/usr/bin/env bash
# timed.sh NAME CMD [ARGS...]: run CMD, then print its wall time and result
# and append them to $TIMES_FILE (if set), for `make test`'s summary.
set -uo pipefail
name=$1
shift
start=$(date +%s.%N)
"$@"
rc=$?
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
result=ok
[ "$rc" -eq 0 ] || result="FAILED (exit $rc)"
line=$(printf '%-12s %7.1fs  %s' "$name" "$secs" "$result")
echo "== $line"
[ -n "${TIMES_FILE:-}" ] && echo "$line" >>"$TIMES_FILE"
exit "$rc"
