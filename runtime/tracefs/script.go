package tracefs

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// Script returns what -o writes: a standalone bash script that sets up f's
// probes and filters in a tracefs instance of its own (named after the
// script's pid), streams its trace_pipe, and on Ctrl-C, SIGTERM or any
// exit removes everything it created. An awk program (scriptAwk) prints
// each event in the runner's line format, with the prefix conversions
// (ip_ dotted, b16_ swapped, ...) applied, so the script prints what
// surftrace would.
func Script(f *spec.Ftrace) string {
	var b, undo strings.Builder
	b.WriteString("#!/bin/bash\n# Written by surftrace -o: the ftrace form of\n")
	if f.Src != nil {
		for _, l := range strings.Split(strings.TrimSpace(f.Src.Text), "\n") {
			fmt.Fprintf(&b, "#   %s\n", l)
		}
	}
	hists := false
	for _, p := range f.Probes {
		if p.Hist != nil {
			// print the counts as surftrace prints a count map, then drop the trigger
			if !hists {
				undo.WriteString("\tprintf '\\n\\n'\n")
			}
			hists = true
			fmt.Fprintf(&undo, "\tawk -v M=%s -v K=%s -v S=%d %s %s/hist | sort -t: -k2,2n -s\n", shellQuote(p.Hist.Map), shellQuote(p.Hist.Key),
				b2i(p.Hist.KeyRender == spec.RenderSigned), shellQuote(histAwk), scriptEvent(p))
			fmt.Fprintf(&undo, "\techo %s >> %s/trigger 2>/dev/null\n", shellQuote("!"+p.Hist.Trigger()), scriptEvent(p))
			continue
		}
		fmt.Fprintf(&undo, "\techo 0 > %s/enable 2>/dev/null\n", scriptEvent(p))
	}
	b.WriteString(strings.Replace(scriptSetup, "@UNDO@", undo.String(), 1))
	for _, p := range f.Probes {
		if p.Def != "" {
			def := strings.Replace(shellQuote(p.DefLine("@G@")+" "+commField+"=$comm"), "@G@", `'"$G"'`, 1)
			fmt.Fprintf(&b, "echo %s >> \"$T/kprobe_events\" || fail 'add %s'\n", def, p.Name)
			fmt.Fprintf(&b, "ADDED=\"$ADDED $G/%s\"\n", p.Name)
		}
	}
	for _, p := range f.Probes {
		if p.Filter != "" {
			fmt.Fprintf(&b, "echo %s > %s/filter || fail 'filter of %s'\n", shellQuote(p.Filter), scriptEvent(p), p.Name)
		}
		if p.Hist != nil {
			fmt.Fprintf(&b, "echo %s >> %s/trigger || fail 'hist trigger of %s'\n", shellQuote(p.Hist.Trigger()), scriptEvent(p), p.Name)
			continue
		}
		fmt.Fprintf(&b, "echo 1 > %s/enable || fail 'enable %s'\n", scriptEvent(p), p.Name)
	}
	if f.Stack {
		b.WriteString("echo 1 > \"$I/options/stacktrace\"\n")
	}
	// mawk (Debian's awk) fills its input buffer before it processes a
	// line unless told the input is interactive.
	b.WriteString("AWK=awk\nawk -W version 2>&1 | grep -qi mawk && AWK='awk -W interactive'\n")
	fmt.Fprintf(&b, "$AWK %s \"$I/trace_pipe\" &\n", shellQuote(scriptAwk(f)))
	b.WriteString(scriptTail)
	return b.String()
}

// scriptEvent is the quoted event directory of p in the script's instance.
func scriptEvent(p *spec.FtraceProbe) string {
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

// scriptTail waits for the awk reading trace_pipe (started in the
// background so that the INT and TERM traps run at once).
const scriptTail = `READER=$!
wait "$READER"
`

// histAwk turns an event's hist file into "@map[key]: count" lines (M,
// K: the map and the key field; S: the key is signed, printed by ftrace as
// its 64-bit sign extension).
const histAwk = `/^\{/ {
	line = $0; sub(/^\{ */, "", line)
	e = index(line, "}"); kv = substr(line, 1, e - 1); rest = substr(line, e + 1)
	sub("^" K ": *", "", kv); sub(/ *$/, "", kv)
	sub(/^ *hitcount: */, "", rest)
	if (S && (length(kv) == 20 || length(kv) == 19 && kv > "9223372036854775807")) {
		# 2^64 - kv, digit by digit
		a = "18446744073709551616"; o = ""; c = 0
		while (length(kv) < 20) kv = "0" kv
		for (i = 20; i >= 1; i--) { d = substr(a, i, 1) - substr(kv, i, 1) - c; c = d < 0; if (c) d += 10; o = d o }
		sub(/^0+/, "", o); kv = "-" o
	}
	printf "%s[%s]: %d\n", M, kv, rest + 0
}`
