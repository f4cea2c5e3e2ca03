package tracefs

import (
	"fmt"
	"path"
	"strings"

	"github.com/surftrace/surftrace/kernel/tracingdir"
	"github.com/surftrace/surftrace/spec"
)

// showGroup is the group and instance name -S prints; a run uses its own
// surftrace_PID instead.
const showGroup = "surftrace"

// ShowText returns what -S prints: the commands that would set f up in
// tracefs, in the shape surftrace printed them (kprobe_events lines,
// filters, enables, in an instance named surftrace whose directory must
// exist), for reading or for running by hand on a machine that has no
// surftrace. It attaches nothing and needs no privileges.
func ShowText(f *spec.Ftrace) string {
	var b strings.Builder
	const root = tracingdir.Path
	inst := path.Join(root, "instances", showGroup)
	for _, w := range f.Warnings {
		fmt.Fprintf(&b, "# warning: %s\n", strings.ReplaceAll(w.Error(), "\n", "\n# "))
	}
	for _, p := range f.Probes {
		if p.Def != "" {
			fmt.Fprintf(&b, "echo %s >> %s/kprobe_events\n", shellQuote(p.DefLine(showGroup)), root)
		}
	}
	for _, p := range f.Probes {
		ev := path.Join(inst, "events", p.EventPath(showGroup))
		if p.Filter != "" {
			fmt.Fprintf(&b, "echo %s > %s/filter\n", shellQuote(p.Filter), ev)
		}
		if p.Hist != nil { // a keyed count: read the counts from ev/hist
			fmt.Fprintf(&b, "echo %s >> %s/trigger\n", shellQuote(p.Hist.Trigger()), ev)
			continue
		}
		fmt.Fprintf(&b, "echo 1 > %s/enable\n", ev)
	}
	if f.Stack {
		fmt.Fprintf(&b, "echo 1 > %s/options/stacktrace\n", inst)
	}
	return b.String()
}

// shellQuote quotes s for sh in single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
