package compiler

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// watchSetup is what the uprobe of a watchpoint:FUNCTION+argN does: send
// argument arg, the address to watch, for watchpoint probe of; sync (a
// watchpoint, not an asyncwatchpoint) stops the process until it is
// armed.
type watchSetup struct {
	of   *target
	arg  int
	sync bool
}

// funcWatchpoints resolves watchpoint:FUNCTION+argN:LEN:MODE as bpftrace
// does: FUNCTION (a glob) in the -c command's program, or -p's
// executable, gets a uprobe that sends argument N to the runtime, which
// arms a breakpoint there in the process; each function gets its own
// breakpoint probe running the block, named
// "watchpoint:PROGRAM:FUNCTION[:N]:LEN:MODE".
func (sc *scriptComp) funcWatchpoints(ap *lang.AttachPoint, fn, argText, length, modes string) []*target {
	arg, err := strconv.Atoi(argText)
	if err != nil || arg < 0 || arg > 5 {
		fail(ap, "want %s:FUNCTION+argN:LENGTH:MODE with N from 0 to 5, not arg%s", ap.Kind, argText)
	}
	bin := sc.opts.Command
	if bin == "" && sc.opts.PID != 0 {
		bin = fmt.Sprintf("/proc/%d/exe", sc.opts.PID)
	}
	if bin == "" {
		fail(ap, "-p PID or -c CMD required for watchpoint (%s on a function argument watches that process)", ap.Kind)
	}
	n, mode := breakpoint(ap, length, modes)
	kind := spec.AttachWatchpoint
	if ap.Kind == lang.AsyncWatchpoint {
		kind = spec.AttachAsyncWatchpoint
	}
	var out []*target
	for _, u := range sc.uprobes(&lang.AttachPoint{Span: ap.Span, Kind: lang.Uprobe, Target: bin + ":" + fn}) {
		name := []string{string(ap.Kind), bin, u.fn}
		if arg != 0 {
			name = append(name, argText)
		}
		w := &target{ap: ap, kind: kind, typ: ebpf.PerfEvent, name: strings.Join(append(name, length, modes), ":"),
			perf: &spec.PerfEvent{Type: unix.PERF_TYPE_BREAKPOINT, Period: 1, Len: n, BpType: mode, User: true, Deferred: true}}
		u.watch = &watchSetup{of: w, arg: arg, sync: ap.Kind == lang.Watchpoint}
		out = append(out, w, u)
	}
	return out
}

// watchSetup generates the uprobe of a watchpoint:FUNCTION+argN: a
// record of the argument and the process, which the runtime arms the
// breakpoint with, and for a synchronous watchpoint SIGSTOP to the
// process, which the runtime continues once it is armed.
func (g *sgen) watchSetup() {
	w := g.t.watch
	g.Src = g.t.name + ": arm " + w.of.name
	addr := g.argN(w.arg, g.t.ap)
	pid := intOf(u64Type, codegen.Bin(asm.RSh, &codegen.Helper{Fn: asm.FnGetCurrentPidTgid}, &codegen.Const{V: 32}))
	ev := g.event(spec.EventWatch, "", "", []*sval{addr, pid}, g.t.ap)
	ev.Watch, ev.Resume = w.of.index, w.sync
	if w.sync {
		g.Emit(asm.Mov.Imm(asm.R1, int32(unix.SIGSTOP)))
		g.Call(asm.FnSendSignal)
	}
}

// unwatchCall generates unwatch(ADDR): the runtime disarms the
// breakpoints of watchpoint:FUNCTION+argN probes at ADDR.
func (g *sgen) unwatchCall(e *lang.Call) {
	addr := g.settle(g.expr(e.Args[0]), e.Args[0])
	if addr.kind != skInt {
		fail(e.Args[0], "unwatch takes an address, not %s", addr.describe())
	}
	g.event(spec.EventUnwatch, "", "", []*sval{addr}, e)
}
