#!/usr/bin/env bash
# firstrun.sh: README's first command, `make run`, on a fresh machine:
# tracefs not mounted (nothing mounts it at boot), bounded with
# ARGS=--duration, and a drop it must show (UDP to a closed port on
# loopback). It runs in a mount namespace of its own, so unmounting
# tracefs there changes nothing for other processes. As root, from the
# repository root; `make test` runs it first, before any test mounted
# anything.
set -euo pipefail
if [ "${FIRSTRUN_NS:-}" != 1 ]; then
	exec env FIRSTRUN_NS=1 unshare --mount --propagation private "$0" "$@"
fi

# tracefs and debugfs off, deepest first; stacked mounts come off one a round.
for _ in 1 2 3 4 5 6 7 8; do
	points=$(awk '($3 == "tracefs" || $3 == "debugfs") && $2 ~ "^/sys/kernel/" { print $2 }' /proc/self/mounts | sort -r)
	[ -z "$points" ] && break
	for p in $points; do umount -l "$p"; done
done
if awk '$3 == "tracefs" || $3 == "debugfs"' /proc/self/mounts | grep -q .; then
	echo "firstrun: tracefs is still mounted" >&2
	exit 1
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
make --no-print-directory build >/dev/null # so that compiling does not eat the run's time
make --no-print-directory run ARGS="--duration=10s --ready-file=$dir/ready" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 300); do
	[ -e "$dir/ready" ] || ! kill -0 "$pid" 2>/dev/null && break
	sleep 0.1
done
if [ ! -e "$dir/ready" ]; then
	echo "firstrun: make run did not start tracing" >&2
	cat "$dir/out" "$dir/err" >&2
	kill "$pid" 2>/dev/null || true
	exit 1
fi
# Port 9 (discard) on 127.0.0.2: nothing listens, the kernel drops each.
for _ in 1 2 3; do echo firstrun >/dev/udp/127.0.0.2/9; done
rc=0
wait "$pid" || rc=$?

fail=0
check() { # check WHAT REGEXP FILE
	if ! grep -Eq "$2" "$3"; then
		echo "firstrun: no $1 in make run's output" >&2
		fail=1
	fi
}
check "header" '^Tracing packet drops\. Hit Ctrl-C to end\.$' "$dir/out"
check "column line" '^TIME +PID +COMM +NETNS +DEV +PROTO PACKET REASON LOCATION$' "$dir/out"
check "drop of the datagrams to 127.0.0.2:9" '^[0-9]+\.[0-9]{6} +[0-9]+ +[^ ]+ +[0-9]+ +lo +UDP +127\.0\.0\.1:[0-9]+ > 127\.0\.0\.2:9 NO_SOCKET [^ ]+' "$dir/out"
check "note that tracefs was mounted" '^surftrace: tracefs was not mounted; mounted it on /sys/kernel/tracing$' "$dir/err"
if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ]; then
	echo "firstrun: make run exited $rc; stdout:" >&2
	cat "$dir/out" >&2
	echo "stderr:" >&2
	cat "$dir/err" >&2
	exit 1
fi
echo "firstrun: make run mounted tracefs, printed the header and the drops:"
grep -E '127\.0\.0\.2' "$dir/out" | head -3
