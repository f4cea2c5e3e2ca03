#!/usr/bin/env bash
# fuzz.sh FUZZTIME: run every Fuzz target in the module for FUZZTIME each.
set -euo pipefail
fuzztime=${1:-10s}
go=${GO:-go}
n=0
while IFS=: read -r file name; do
	pkg=$(dirname "$file")
	echo "== fuzz $pkg $name ($fuzztime)"
	$go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
	n=$((n + 1))
done < <(grep -r --include='*_test.go' -oE '^func Fuzz[A-Za-z0-9_]*' . |
	grep -v '^./.cache/' | sed 's/func //' | sort)
echo "fuzz: ran $n targets"
