package compiler

import (
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/kernel/uelf"
	"github.com/surftrace/surftrace/lang"
)

// target is one resolved attach point of a script probe: where its
// program attaches and how its context is typed.
type target struct {
	ap        *lang.AttachPoint
	kind      spec.AttachKind
	name      string // the probe builtin and Probe.Name: "kprobe:vfs_read"
	target    string
	offset    uint64
	interval  time.Duration
	fn        string                    // the function, for func
	user      bool                      // a user-space probe: memory reads are of user memory
	usdt      *uelf.Note                // usdt: the probe's note, for its arguments
	semaphore uint64                    // usdt: its semaphore's file offset (0: none)
	vaddr     uint64                    // uprobe, usdt: the probed instruction's address in the file
	tp        []*kernel.TracepointField // tracepoint record fields
	proto     *btf.FuncProto            // fentry, fexit, tp_btf: the arguments' types
	skip      int                       // tp_btf: leading prototype parameters not in ctx
	ctxArgs   bool                      // the context is an array of u64 arguments
	typ       ebpf.ProgramType
	attach    ebpf.AttachType
	attachTo  string
	perf      *spec.PerfEvent // the perf-event kinds' event
	watch     *watchSetup     // the uprobe arming a watchpoint:FUNCTION+argN
	index     int             // the probe's index, once compiled
	// An argument selector's target: skbSel says the sk_buff is argument
	// skbArg (the skb builtin); targets, on a kprobe or kretprobe, are
	// every function the one program attaches to.
	skbSel  bool
	skbArg  int
	targets []string
}

// bannedKretprobes are the functions bpftrace refuses a kretprobe on: a
// return probe takes a spinlock of its own there and can deadlock.
var bannedKretprobes = map[string]bool{
	"_raw_spin_lock": true, "_raw_spin_lock_irqsave": true,
	"_raw_spin_unlock_irqrestore": true, "queued_spin_lock_slowpath": true,
}

// maxExpansion bounds how many functions a shared kprobe program attaches
// to (bpftrace's default BPFTRACE_MAX_PROBES) and how many programs a
// fentry selector makes; the programs other wildcards make are bounded by
// Options.MaxPrograms (checkProgramCount).
const maxExpansion = 512

func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// expand resolves an attach point into its targets, expanding wildcards;
// with share, a kprobe or kretprobe wildcard is one target whose program
// attaches to every function it matches.
func (sc *scriptComp) expand(ap *lang.AttachPoint, share bool) []*target {
	switch ap.Kind {
	case lang.Begin, lang.End:
		kind := spec.AttachBegin
		if ap.Kind == lang.End {
			kind = spec.AttachEnd
		}
		return []*target{{ap: ap, kind: kind, name: string(ap.Kind), typ: ebpf.RawTracepoint}}
	case lang.Interval:
		return []*target{sc.interval(ap)}
	case lang.Profile:
		return []*target{sc.profile(ap)}
	case lang.Software, lang.Hardware:
		return []*target{sc.perfCounter(ap)}
	case lang.Watchpoint, lang.AsyncWatchpoint:
		return sc.watchpoints(ap)
	case lang.TC:
		return sc.tc(ap)
	case lang.Kprobe, lang.Kretprobe, lang.Fentry, lang.Fexit, lang.RawTracepoint:
		if ap.ArgType != "" {
			return sc.selector(ap)
		}
	}
	switch ap.Kind {
	case lang.Kprobe, lang.Kretprobe:
		if strings.Contains(ap.Target, ":") {
			fail(ap, "%s probe type requires 1 argument (a kernel function, not %s)", ap.Kind, ap.Target)
		}
		var fns []string
		for _, fn := range sc.functions(ap, ap.Target) {
			if sc.skipUnknown(ap, fn) {
				continue
			}
			if ap.Kind == lang.Kretprobe && bannedKretprobes[fn] {
				if isGlob(ap.Target) {
					continue
				}
				// bpftrace's words, its doubled "error" included, which
				// its users and tests match.
				fail(ap, "error: kretprobe:%s can't be used as it might lock up your system.", fn)
			}
			fns = append(fns, fn)
		}
		if share && isGlob(ap.Target) && ap.Offset == 0 {
			return []*target{sc.sharedKprobe(ap, fns)}
		}
		var out []*target
		for _, fn := range fns {
			out = append(out, sc.kprobe(ap, fn))
		}
		return out
	case lang.Tracepoint:
		var out []*target
		for _, tp := range sc.tracepoints(ap) {
			out = append(out, sc.tracepoint(ap, tp))
		}
		return out
	case lang.RawTracepoint:
		return []*target{sc.rawTracepoint(ap)}
	case lang.Uprobe, lang.Uretprobe:
		return sc.uprobes(ap)
	case lang.Usdt:
		return sc.usdts(ap)
	case lang.Fentry, lang.Fexit:
		mod, fn, ok := strings.Cut(ap.Target, ":")
		if !ok {
			mod, fn = "", ap.Target
		}
		var out []*target
		for _, f := range sc.functions(ap, fn) {
			out = append(out, sc.fentry(ap, mod, f))
		}
		return out
	}
	fail(ap, "%s probes are not supported by surftrace", ap.Kind)
	return nil
}

// interval makes a perf-event program run every N units.
func (sc *scriptComp) interval(ap *lang.AttachPoint) *target {
	unit := map[string]time.Duration{"s": time.Second, "ms": time.Millisecond, "us": time.Microsecond}
	d, ok := unit[ap.Unit]
	if ap.Unit == "hz" && ap.Period > 0 {
		d, ok = time.Second/time.Duration(ap.Period), true
	} else {
		d *= time.Duration(ap.Period)
	}
	if !ok || d <= 0 {
		fail(ap, "interval needs s, ms, us or hz and a positive count")
	}
	return &target{ap: ap, kind: spec.AttachInterval, name: "interval:" + ap.Unit + ":" + strconv.Itoa(int(ap.Period)),
		interval: d, typ: ebpf.PerfEvent}
}

// functions returns the functions name matches: itself, or with
// wildcards every traceable-looking function symbol it matches.
func (sc *scriptComp) functions(ap *lang.AttachPoint, name string) []string {
	if !isGlob(name) {
		return []string{name}
	}
	if _, err := path.Match(name, ""); err != nil {
		fail(ap, "bad wildcard %q", name)
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range sc.ki.symbols().FuncNames() {
		if strings.Contains(f, ".") || seen[f] {
			continue
		}
		if ok, _ := path.Match(name, f); ok {
			seen[f] = true
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		fail(ap, "no kernel function matches %s", name)
	}
	return out
}

// sharedKprobe is the one target of a kprobe or kretprobe wildcard whose
// functions share a program: it attaches to each of fns, as an argument
// selector's does (bpftrace makes one program for a wildcard too). At
// most maxExpansion functions, bpftrace's default BPFTRACE_MAX_PROBES.
func (sc *scriptComp) sharedKprobe(ap *lang.AttachPoint, fns []string) *target {
	if len(fns) == 0 {
		fail(ap, "no kernel function matches %s", ap.Target)
	}
	if len(fns) > maxExpansion {
		fail(ap, "%s matches %d functions, more than %d", ap.Target, len(fns), maxExpansion)
	}
	t := &target{ap: ap, kind: spec.AttachKprobe, name: string(ap.Kind) + ":" + ap.Target, typ: ebpf.Kprobe,
		target: fns[0], targets: fns}
	if ap.Kind == lang.Kretprobe {
		t.kind = spec.AttachKretprobe
	}
	return t
}

// skipUnknown reports whether kprobe or kretprobe ap on function fn is
// left out (Options.SkipUnknownFuncs): fn is unknown to the kernel and
// the block uses the probe builtin. It adds bpftrace's warning.
func (sc *scriptComp) skipUnknown(ap *lang.AttachPoint, fn string) bool {
	if !sc.opts.SkipUnknownFuncs || isGlob(ap.Target) || !sc.probeBuiltin {
		return false
	}
	if _, ok := sc.ki.resolveFunc(fn); ok {
		return false
	}
	if _, ok := sc.ki.funcProto(fn); ok {
		return false
	}
	sc.out.Warnings = append(sc.out.Warnings, &lang.Error{Span: ap.Span,
		Msg: "WARNING: " + fn + ` is not traceable (either non-existing, inlined, or marked as "notrace"); attaching to it will likely fail`})
	sc.skipped = ap
	return true
}

func (sc *scriptComp) kprobe(ap *lang.AttachPoint, fn string) *target {
	t := &target{ap: ap, kind: spec.AttachKprobe, fn: fn, offset: ap.Offset, typ: ebpf.Kprobe}
	if ap.Kind == lang.Kretprobe {
		t.kind = spec.AttachKretprobe
	}
	resolved, ok := sc.ki.resolveFunc(fn)
	if !ok {
		if _, hasBTF := sc.ki.funcProto(fn); !hasBTF {
			failHint(ap, sc.ki.funcHint(fn), "unknown kernel function %s", fn)
		}
		resolved = fn
	}
	t.target = resolved
	t.name = string(ap.Kind) + ":" + fn
	if ap.Offset != 0 {
		t.name += "+" + strconv.Itoa(int(ap.Offset))
		if size, ok := funcSize(sc.ki.symbols().All(), resolved); ok && ap.Offset >= size {
			// bpftrace's words, which its users and tests match: past
			// the function the kernel would probe whatever follows.
			fail(ap, "Offset outside the function bounds ('%s' size is %d)", fn, size)
		}
	}
	return t
}

// funcSize is the size of function symbol name: the distance from its
// address to the next higher symbol address of the same module, as
// kallsyms tells a function's bounds. ok is false when the addresses are
// hidden (zero without root) or there is no next symbol.
func funcSize(syms []kernel.Symbol, name string) (size uint64, ok bool) {
	var fn *kernel.Symbol
	for i := range syms {
		if syms[i].Name == name && syms[i].Func {
			fn = &syms[i]
			break
		}
	}
	if fn == nil || fn.Addr == 0 {
		return 0, false
	}
	next := uint64(0)
	for _, s := range syms {
		if s.Module == fn.Module && s.Addr > fn.Addr && (next == 0 || s.Addr < next) {
			next = s.Addr
		}
	}
	return next - fn.Addr, next != 0
}

// tracepoints returns the "subsys:event" names ap matches.
func (sc *scriptComp) tracepoints(ap *lang.AttachPoint) []string {
	name := strings.Replace(ap.Target, "/", ":", 1)
	if !isGlob(name) {
		return []string{name}
	}
	lister, ok := sc.ki.k.(kernel.TracepointLister)
	if !ok {
		fail(ap, "this kernel description cannot list tracepoints for %s", name)
	}
	all, err := lister.Tracepoints()
	if err != nil {
		fail(ap, "list tracepoints: %v", err)
	}
	var out []string
	for _, tp := range all {
		if ok, _ := path.Match(strings.Replace(name, ":", "/", 1), strings.Replace(tp, ":", "/", 1)); ok {
			out = append(out, tp)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		fail(ap, "no tracepoint matches %s", name)
	}
	return out
}

func (sc *scriptComp) tracepoint(ap *lang.AttachPoint, name string) *target {
	sub, ev, _ := strings.Cut(name, ":")
	fields, err := sc.ki.tracepoint(sub, ev)
	if err == errNoTracepoint {
		fail(ap, "tracepoint not found: %s:%s", sub, ev)
	} else if err != nil {
		fail(ap, "tracepoint %s:%s: %v", sub, ev, err)
	}
	return &target{ap: ap, kind: spec.AttachTracepoint, name: "tracepoint:" + name, target: name, tp: fields, typ: ebpf.TracePoint}
}

// rawTracepoint attaches as tp_btf with typed args when BTF describes the
// event (typedef btf_trace_EVENT), else as a raw tracepoint with arg0...
func (sc *scriptComp) rawTracepoint(ap *lang.AttachPoint) *target {
	ev := ap.Target
	if i := strings.LastIndexByte(ev, ':'); i >= 0 {
		ev = ev[i+1:]
	}
	if isGlob(ev) {
		fail(ap, "wildcards in rawtracepoint names are not supported")
	}
	t := &target{ap: ap, kind: spec.AttachRawTracepoint, name: "rawtracepoint:" + ev, target: ev, ctxArgs: true, typ: ebpf.RawTracepoint}
	if proto := sc.btfTrace(ev); proto != nil {
		t.proto, t.skip = proto, 1
		t.typ, t.attach, t.attachTo = ebpf.Tracing, ebpf.AttachTraceRawTp, ev
	}
	return t
}

// btfTrace returns the prototype of typedef btf_trace_EVENT, whose first
// parameter is the tracepoint's private data.
func (sc *scriptComp) btfTrace(ev string) *btf.FuncProto {
	if sc.ki.vmlinux() == nil {
		return nil
	}
	var td *btf.Typedef
	if sc.ki.vmlinux().TypeByName("btf_trace_"+ev, &td) != nil {
		return nil
	}
	p, ok := under(td.Type).(*btf.Pointer)
	if !ok {
		return nil
	}
	proto, ok := p.Target.(*btf.FuncProto)
	if !ok || len(proto.Params) == 0 {
		return nil
	}
	return proto
}

func (sc *scriptComp) fentry(ap *lang.AttachPoint, mod, fn string) *target {
	proto, ok := sc.ki.funcProto(fn)
	if !ok {
		failHint(ap, sc.ki.funcHint(fn), "no BTF for kernel function %s (fentry needs it)", fn)
	}
	t := &target{ap: ap, kind: spec.AttachFentry, fn: fn, target: fn, proto: proto, ctxArgs: true,
		typ: ebpf.Tracing, attach: ebpf.AttachTraceFEntry, attachTo: fn, name: "kfunc:" + fn}
	if mod != "" {
		t.name = "kfunc:" + mod + ":" + fn
	}
	if ap.Kind == lang.Fexit {
		t.kind, t.attach, t.name = spec.AttachFexit, ebpf.AttachTraceFExit, "kretfunc"+t.name[len("kfunc"):]
	}
	return t
}
