package runtime

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// attachOrder lists the probes' indices in the order to attach them so
// that blocks on one hook run in the script's order, as in bpftrace: the
// kernel runs the latest uprobe, uretprobe, kprobe or perf event
// (interval, profile, software, hardware, watchpoints) on a hook first, so
// those attach in reverse, after the others, which attach in order (a
// tracepoint runs its programs in the order they attached). Kretprobes
// attach in order: each is a kretprobe of its own whose entry handler
// (latest first) pushes a return instance on the task's stack, and the
// return pops them, so the earliest attached runs first
// (probe.kretprobe_order).
func attachOrder(probes []*spec.Probe) []int {
	var order, latestFirst []int
	for i, p := range probes {
		switch p.Kind {
		case spec.AttachUprobe, spec.AttachUretprobe, spec.AttachUsdt, spec.AttachKprobe,
			spec.AttachInterval, spec.AttachProfile, spec.AttachSoftware, spec.AttachHardware,
			spec.AttachWatchpoint, spec.AttachAsyncWatchpoint:
			latestFirst = append(latestFirst, i)
		default:
			order = append(order, i)
		}
	}
	slices.Reverse(latestFirst)
	return append(order, latestFirst...)
}

// Attach runs the BEGIN probes once, then attaches every other probe
// except END, which Run runs at exit. Errors name the probe and its
// position: "x.st:3:1: attach kprobe:ip_rcv: ...". On error, probes
// attached so far stay attached until Close. Under Options.KeepGoing a
// probe that fails is left out (AttachErrors says why), and Attach fails
// only when none attached. A probe with several targets (an argument
// selector) that attaches to none of them is left out with a note on
// Options.Warn, as bpftrace leaves out what a wildcard cannot attach.
func (t *Tracer) Attach() error {
	for _, probe := range t.prog.Probes {
		if probe.Kind == spec.AttachBegin {
			if err := t.runOnce(probe); err != nil {
				return err
			}
		}
	}
	var failed []error
	tried := 0
	warned := map[string]bool{} // one note per argument selector
	var noKprobes []*spec.Probe // left out for want of kprobes
	for _, i := range attachOrder(t.prog.Probes) {
		probe := t.prog.Probes[i]
		if probe.Kind == spec.AttachBegin || probe.Kind == spec.AttachEnd || probe.Perf != nil && probe.Perf.Deferred {
			continue // a Deferred breakpoint is armed by EventWatch records
		}
		tried++
		if len(probe.Targets) > 0 {
			links, err := t.attachTargets(probe)
			if err != nil {
				// As bpftrace does for wildcards, a selector that matched
				// nothing attachable is a warning, not the end of the run.
				failed = append(failed, err)
				switch {
				case errors.Is(err, ErrNoKprobes):
					noKprobes = append(noKprobes, probe)
				case t.opts.Warn != nil && !warned[probe.Name]:
					fmt.Fprintf(t.opts.Warn, "surftrace: %s left out: %v\n", probe.Name, err)
				}
				warned[probe.Name] = true
				continue
			}
			t.links = append(t.links, links...)
			continue
		}
		if probe.Kind.TC() {
			if err := t.attachTC(probe, t.progs[probe.Index]); err != nil {
				if !t.opts.KeepGoing {
					return probeError(probe, "attach", err)
				}
				err = probeError(probe, "attach", err)
				t.keepAttachError(probe, err)
				failed = append(failed, err)
			}
			continue
		}
		l, err := t.attach(probe, t.progs[probe.Index])
		var ae *AttachError
		if err != nil && !errors.As(err, &ae) {
			err = probeError(probe, "attach", err)
		}
		if err != nil && !t.opts.KeepGoing {
			return err
		}
		if err != nil {
			t.keepAttachError(probe, err)
			failed = append(failed, err)
			continue
		}
		t.links = append(t.links, l)
	}
	if tried > 0 && len(failed) == tried {
		return errors.Join(failed...)
	}
	if len(noKprobes) > 0 && t.opts.Warn != nil {
		fmt.Fprintf(t.opts.Warn, "surftrace: this kernel has no kprobes (CONFIG_KPROBES is off): %s\n", noKprobesNote(t.prog.Probes, noKprobes))
	}
	return nil
}

// noKprobesNote says what a kernel without kprobes leaves unseen: the
// labels of script blocks all of whose probes were left out ("cannot
// see netfilter, routing"), those of blocks that lost some ("sees
// link-in without kprobes"), and the attach points of unlabelled probes left
// out. Labels and attach points keep the order of the probes.
func noKprobesNote(all, left []*spec.Probe) string {
	out := map[int]bool{} // the probes left out, by Index
	for _, p := range left {
		out[p.Index] = true
	}
	var labels []string
	seen := map[string]int{} // per label: probes attached, or -1 when none were left out
	lost := map[string]bool{}
	for _, p := range all {
		if p.Label == "" || p.Kind == spec.AttachBegin || p.Kind == spec.AttachEnd {
			continue
		}
		if _, ok := seen[p.Label]; !ok {
			labels = append(labels, p.Label)
			seen[p.Label] = 0
		}
		if out[p.Index] {
			lost[p.Label] = true
		} else {
			seen[p.Label]++
		}
	}
	var unseen, partly, names []string
	for _, l := range labels {
		switch {
		case lost[l] && seen[l] == 0:
			unseen = append(unseen, l)
		case lost[l]:
			partly = append(partly, l)
		}
	}
	named := map[string]bool{}
	for _, p := range left {
		if p.Label == "" && !named[p.Name] {
			named[p.Name] = true
			names = append(names, p.Name)
		}
	}
	var parts []string
	if len(unseen) > 0 {
		parts = append(parts, "cannot see "+strings.Join(unseen, ", "))
	}
	if len(partly) > 0 {
		parts = append(parts, "sees "+strings.Join(partly, ", ")+" without kprobes")
	}
	if len(names) > 0 {
		parts = append(parts, "left out "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

// AttachStats says how the probes with several targets attached.
func (t *Tracer) AttachStats() AttachStats { return t.stats }

// keepAttachError records why probe did not attach, for AttachErrors.
func (t *Tracer) keepAttachError(probe *spec.Probe, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.attachErrs == nil {
		t.attachErrs = make([]error, len(t.prog.Probes))
	}
	t.attachErrs[probe.Index] = err
}

// attach makes the kernel run prog where probe says.
func (t *Tracer) attach(probe *spec.Probe, prog *ebpf.Program) (link.Link, error) {
	switch probe.Kind {
	case spec.AttachKprobe:
		l, err := link.Kprobe(probe.Target, prog, &link.KprobeOptions{Offset: probe.Offset})
		return l, kprobeError(probe, err, err != nil && kprobesMissing(os.DirFS("/")))
	case spec.AttachKretprobe:
		l, err := link.Kretprobe(probe.Target, prog, nil)
		return l, kprobeError(probe, err, err != nil && kprobesMissing(os.DirFS("/")))
	case spec.AttachTracepoint:
		group, name, ok := strings.Cut(probe.Target, ":")
		if !ok {
			return nil, fmt.Errorf("tracepoint %q is not subsys:event", probe.Target)
		}
		return link.Tracepoint(group, name, prog, nil)
	case spec.AttachRawTracepoint:
		if prog.Type() == ebpf.Tracing {
			return link.AttachTracing(link.TracingOptions{Program: prog, AttachType: ebpf.AttachTraceRawTp})
		}
		return link.AttachRawTracepoint(link.RawTracepointOptions{Name: probe.Target, Program: prog})
	case spec.AttachFentry, spec.AttachFexit:
		return link.AttachTracing(link.TracingOptions{Program: prog})
	case spec.AttachInterval:
		return t.attachInterval(probe, prog)
	case spec.AttachUprobe, spec.AttachUretprobe, spec.AttachUsdt:
		return t.attachUser(probe, prog)
	case spec.AttachProfile, spec.AttachSoftware, spec.AttachHardware, spec.AttachWatchpoint, spec.AttachAsyncWatchpoint:
		return t.attachPerf(probe, prog)
	}
	return nil, fmt.Errorf("internal error: unknown attach kind %d", probe.Kind)
}

// attachInterval runs prog every probe.Interval on CPU 0 through a
// CPU-clock perf event.
func (t *Tracer) attachInterval(probe *spec.Probe, prog *ebpf.Program) (link.Link, error) {
	ev, err := openCPUClock(probe.Interval, 0)
	if err != nil {
		return nil, err
	}
	l, err := link.AttachRawLink(link.RawLinkOptions{Target: int(ev.Fd()), Program: prog, Attach: ebpf.AttachPerfEvent})
	if err != nil {
		ev.Close()
		return nil, err
	}
	t.closers = append(t.closers, ev)
	return l, nil
}

// runOnce runs a BEGIN or END program once through BPF_PROG_TEST_RUN,
// which runs raw tracepoint programs with a zeroed context of up to 12
// arguments.
func (t *Tracer) runOnce(probe *spec.Probe) error {
	ctx := make([]uint64, 12)
	if _, err := t.progs[probe.Index].Run(&ebpf.RunOptions{Context: ctx}); err != nil {
		return probeError(probe, "run", err)
	}
	return nil
}
