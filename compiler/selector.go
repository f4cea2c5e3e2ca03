package compiler

import (
	"path"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// selected is one function an argument selector matched: its name and
// the position of the selected argument.
type selected struct {
	fn  string
	arg int
}

// selector expands kprobe:GLOB(struct sk_buff *) and the kretprobe,
// fentry and fexit forms. A kprobe or kretprobe gets one target per
// argument position, each one program attached to every function whose
// sk_buff is in that register; fentry and fexit programs are tied to one
// function each when they load, so they get one target per function.
func (sc *scriptComp) selector(ap *lang.AttachPoint) []*target {
	if ap.ArgType != "struct sk_buff *" {
		fail(ap, "only the (struct sk_buff *) argument selector is supported, not (%s)", ap.ArgType)
	}
	if ap.Kind == lang.RawTracepoint {
		return sc.tpSelector(ap)
	}
	mod, glob, ok := strings.Cut(ap.Target, ":")
	if !ok {
		mod, glob = "", ap.Target
	}
	if _, err := path.Match(glob, ""); err != nil {
		fail(ap, "bad wildcard %q", glob)
	}
	fns := sc.skbFunctions(ap, mod, glob)
	name := string(ap.Kind) + ":" + ap.Target + "(" + ap.ArgType + ")"
	var out []*target
	switch ap.Kind {
	case lang.Fentry, lang.Fexit:
		if len(fns) > maxExpansion {
			fail(ap, "%s matches %d functions, more than %d fentry programs; narrow the glob or use kprobe", name, len(fns), maxExpansion)
		}
		for _, f := range fns {
			t := sc.fentry(ap, mod, f.fn)
			t.skbSel, t.skbArg = true, f.arg
			out = append(out, t)
		}
		return out
	}
	byArg := map[int]*target{}
	for _, f := range fns {
		if f.arg >= len(sc.ki.regs.args) {
			continue // on the stack: not worth a program of its own
		}
		t := byArg[f.arg]
		if t == nil {
			t = &target{ap: ap, kind: spec.AttachKprobe, name: name, skbSel: true, skbArg: f.arg, typ: ebpf.Kprobe}
			if ap.Kind == lang.Kretprobe {
				t.kind = spec.AttachKretprobe
			}
			byArg[f.arg] = t
			out = append(out, t)
		}
		t.targets = append(t.targets, f.fn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].skbArg < out[j].skbArg })
	for _, t := range out {
		t.target = t.targets[0]
	}
	return out
}

// skbFunctions lists the functions matching glob (in module mod when it
// is set) that take a struct sk_buff *, with the first such argument's
// position, from the BTF of vmlinux and of the modules that have
// matching functions. Only functions whose symbol has their plain name
// qualify: a NAME.isra.0 clone may take other arguments than its BTF
// prototype says.
func (sc *scriptComp) skbFunctions(ap *lang.AttachPoint, mod, glob string) []selected {
	var out []selected
	seen := map[string]bool{}
	add := func(spec *btf.Spec, fn string, want string) {
		if seen[fn] {
			return
		}
		if ok, _ := path.Match(glob, fn); !ok || tracingMachinery(fn) {
			return
		}
		if want == "" && !sc.ki.vmlinuxFunc(fn) {
			return
		}
		if want != "" {
			ss := sc.ki.symbols().Lookup(fn)
			if len(ss) == 0 || !ss[0].Func || ss[0].Module != want {
				return
			}
		}
		var f *btf.Func
		if spec.TypeByName(fn, &f) != nil {
			return
		}
		proto, ok := f.Type.(*btf.FuncProto)
		if !ok {
			return
		}
		for i, p := range proto.Params {
			if name, ok := kernel.StructPtrName(p.Type); ok && name == "sk_buff" {
				seen[fn] = true
				out = append(out, selected{fn: fn, arg: i})
				return
			}
		}
	}
	if mod == "" && sc.ki.vmlinux() != nil {
		for _, fn := range sc.vmlinuxSkbFunctions() {
			add(sc.ki.vmlinux(), fn, "")
		}
	}
	mods := map[string]bool{}
	for _, s := range sc.ki.moduleFuncs() {
		if mod == "" || s.Module == mod {
			if ok, _ := path.Match(glob, s.Name); ok {
				mods[s.Module] = true
			}
		}
	}
	names := make([]string, 0, len(mods))
	for m := range mods {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		spec, err := sc.ki.k.ModuleBTF(m)
		if err != nil {
			continue
		}
		for _, s := range sc.ki.moduleFuncs() {
			if s.Module == m {
				add(spec, s.Name, m)
			}
		}
	}
	if mod != "" && len(mods) == 0 {
		fail(ap, "no function of module %s matches %s (is the module loaded?)", mod, glob)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].fn < out[j].fn })
	return out
}

// vmlinuxSkbFunctions names the functions of vmlinux's BTF that take a
// struct sk_buff *: the kernel's cached list when it keeps one, else a
// walk over the BTF.
func (sc *scriptComp) vmlinuxSkbFunctions() []string {
	if l, ok := sc.ki.k.(kernel.FunctionLister); ok {
		if fns, err := l.SkbFunctions(); err == nil {
			return fns
		}
	}
	var out []string
	for t, err := range sc.ki.vmlinux().All() {
		if err != nil {
			break
		}
		if fn, ok := t.(*btf.Func); ok {
			out = append(out, fn.Name)
		}
	}
	return out
}

// tpSelector expands rawtracepoint:GLOB(struct sk_buff *): one tp_btf
// program per tracepoint of vmlinux whose BTF prototype (typedef
// btf_trace_EVENT) takes a struct sk_buff *. GLOB matches the event
// name, or "subsys:event" when it has a colon.
func (sc *scriptComp) tpSelector(ap *lang.AttachPoint) []*target {
	lister, ok := sc.ki.k.(kernel.TracepointLister)
	if !ok || sc.ki.vmlinux() == nil {
		fail(ap, "this kernel description cannot list BTF tracepoints for %s", ap.Target)
	}
	all, err := lister.Tracepoints()
	if err != nil {
		fail(ap, "list tracepoints: %v", err)
	}
	var out []*target
	seen := map[string]bool{}
	for _, tp := range all {
		_, ev, _ := strings.Cut(tp, ":")
		subject := ev
		if strings.Contains(ap.Target, ":") {
			subject = tp
		}
		if ok, _ := path.Match(ap.Target, subject); !ok || seen[ev] {
			continue
		}
		proto := sc.btfTrace(ev)
		if proto == nil {
			continue
		}
		for i, p := range proto.Params[1:] {
			if name, ok := kernel.StructPtrName(p.Type); ok && name == "sk_buff" {
				seen[ev] = true
				out = append(out, &target{ap: ap, kind: spec.AttachRawTracepoint, name: "rawtracepoint:" + ev, target: ev,
					fn: ev, ctxArgs: true, proto: proto, skip: 1, skbSel: true, skbArg: i,
					typ: ebpf.Tracing, attach: ebpf.AttachTraceRawTp, attachTo: ev})
				break
			}
		}
	}
	if len(out) > maxExpansion {
		fail(ap, "%s matches %d tracepoints, more than %d", ap.Target, len(out), maxExpansion)
	}
	return out
}

// tracingMachinery reports whether fn is the code behind a tracepoint
// (__traceiter_kfree_skb, __bpf_trace_..., perf_trace_...,
// trace_event_raw_event_...): it takes the event's sk_buff, but a probe
// on it only repeats the tracepoint.
func tracingMachinery(fn string) bool {
	for _, p := range []string{"__traceiter_", "__bpf_trace_", "perf_trace_", "trace_event_raw_event_", "trace_raw_output_"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}
