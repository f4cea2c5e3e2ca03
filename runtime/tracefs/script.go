package tracefs

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/compiler"
)

// Script returns what -o writes: a standalone bash script that sets up f's
// probes and filters in a tracefs instance of its own (named after the
// script's pid), streams its trace_pipe, and on Ctrl-C, SIGTERM or any
// exit removes everything it created. It prints ftrace's own lines: the
// prefix conversions (ip_ dotted, b16_ swapped) are the runner's.
func Script(f *compiler.Ftrace) string {
	var b, undo strings.Builder
	b.WriteString("#!/bin/bash\n# Written by surftrace -o: the ftrace form of\n")
	if f.Src != nil {
		for _, l := range strings.Split(strings.TrimSpace(f.Src.Text), "\n") {
			fmt.Fprintf(&b, "#   %s\n", l)
		}
	}
	for _, p := range f.Probes {
		fmt.Fprintf(&undo, "\techo 0 > %s/enable 2>/dev/null\n", scriptEvent(p))
	}
	b.WriteString(strings.Replace(scriptSetup, "@UNDO@", undo.String(), 1))
	for _, p := range f.Probes {
		if p.Def != "" {
			def := strings.Replace(shellQuote(p.DefLine("@G@")), "@G@", `'"$G"'`, 1)
			fmt.Fprintf(&b, "echo %s >> \"$T/kprobe_events\" || fail 'add %s'\n", def, p.Name)
			fmt.Fprintf(&b, "ADDED=\"$ADDED $G/%s\"\n", p.Name)
		}
	}
	for _, p := range f.Probes {
		if p.Filter != "" {
			fmt.Fprintf(&b, "echo %s > %s/filter || fail 'filter of %s'\n", shellQuote(p.Filter), scriptEvent(p), p.Name)
		}
		fmt.Fprintf(&b, "echo 1 > %s/enable || fail 'enable %s'\n", scriptEvent(p), p.Name)
	}
	if f.Stack {
		b.WriteString("echo 1 > \"$I/options/stacktrace\"\n")
	}
	b.WriteString(scriptTail)
	return b.String()
}

// scriptEvent is the quoted event directory of p in the script's instance.
func scriptEvent(p *compiler.FtraceProbe) string {
	return `"$I/events/` + strings.Replace(p.EventPath("@G@"), "@G@", "$G", 1) + `"`
}

const scriptSetup = `# Run as root. Ctrl-C stops it and removes everything it set up.
set -u
T=/sys/kernel/tracing
if [ ! -e "$T/trace_pipe" ]; then
	if [ -e /sys/kernel/debug/tracing/trace_pipe ]; then
		T=/sys/kernel/debug/tracing
	else
		mount -t tracefs nodev "$T" || exit 1
	fi
fi
G=surftrace_$$
I="$T/instances/$G"
ADDED=
READER=
cleanup() {
	trap - INT TERM EXIT
	[ -n "$READER" ] && kill "$READER" 2>/dev/null && wait "$READER" 2>/dev/null
@UNDO@	rmdir "$I" 2>/dev/null
	for e in $ADDED; do echo "-:$e" >> "$T/kprobe_events"; done
}
fail() {
	echo "surftrace script: $1 failed" >&2
	tail -n 3 "$T/error_log" >&2 2>/dev/null
	exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$I" || exit 1
echo mono > "$I/trace_clock"
`

const scriptTail = `cat "$I/trace_pipe" &
READER=$!
wait "$READER"
`
