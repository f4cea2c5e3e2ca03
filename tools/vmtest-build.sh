#!/usr/bin/env bash
# vmtest-build.sh DIR: compile a test binary (go test -c) for every package
# that has tests into DIR, and write DIR/manifest with one
# "BINARY PACKAGE_DIR" line per package, for vmtest-suite.sh. Each binary
# is DIR/<package path>/<package name>.test, named as `go test` names it,
# so its comm in the kernel is the same as under go test.
set -euo pipefail
out=$1
go=${GO:-go}
rm -rf "$out"
mkdir -p "$out"
module=$($go list -m)
$go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... |
	while read -r pkg dir; do
		[ -n "$pkg" ] || continue
		rel=${pkg#"$module"}
		rel=${rel#/}
		name=${rel:-.}/$(basename "$pkg").test
		$go test -c -o "$out/$name" "$pkg"
		echo "$name $dir" >>"$out/manifest"
	done
echo "vmtest: built $(wc -l <"$out/manifest") test binaries in $out"
