#!/usr/bin/env bash
# vmtest-suite.sh DIR: run, inside the VM, every test binary listed in
# DIR/manifest from its package directory; report each and exit 1 if any
# failed. VMTEST_FLAGS (default -test.v) is passed to every binary.
set -uo pipefail
dir=$(cd "$1" && pwd)
flags=${VMTEST_FLAGS--test.v}
failed=()
summary=()
while read -r bin pkgdir; do
	echo "=== vmtest: $bin (in $pkgdir)"
	start=$(date +%s)
	# shellcheck disable=SC2086 # flags are words on purpose
	(cd "$pkgdir" && "$dir/$bin" -test.timeout=45m $flags)
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		summary+=("ok   $bin ${secs}s")
	else
		summary+=("FAIL $bin ${secs}s (exit $rc)")
		failed+=("$bin")
	fi
done <"$dir/manifest"
echo "=== vmtest summary on kernel $(uname -r):"
printf '    %s\n' "${summary[@]}"
[ ${#failed[@]} -eq 0 ]
