package runtime

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/surftrace/surftrace/runtime/ksym"
	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// Options control how a Tracer loads and runs.
type Options struct {
	// Verbose puts the whole verifier log into load errors.
	Verbose bool
	// LogSize, with Verbose, is the verifier log buffer in bytes, as
	// bpftrace's BPFTRACE_LOG_SIZE: every program loads with the
	// verifier's log, and one whose log does not fit fails to load, as
	// the kernel fails it when its buffer is too small (0: no bound; the
	// log is then read only when loading fails).
	LogSize int
	// MaxEvents makes Run return after printing this many trace, printf,
	// time and print records; 0 means no limit.
	MaxEvents int
	// Kallsyms is the kernel symbol table to symbolize addresses with;
	// "" means /proc/kallsyms. It is read on first use.
	Kallsyms string
	// KeepGoing makes Attach skip a probe that fails to attach, keeping
	// its error for AttachErrors, and fail only when none attached: a
	// long-running exporter serves what works and reports the rest.
	KeepGoing bool
	// PID is the process of -p or -c (0: none): uprobes, uretprobes and
	// USDT probes fire only in it, and watchpoints watch its addresses
	// instead of the kernel's.
	PID int
	// Warn receives notes that do not stop a run: a probe with several
	// targets (an argument selector) that attached to none of them.
	Warn io.Writer
}

// Tracer owns the kernel objects of one loaded spec.Program: its maps,
// its programs and, once attached, its links. Close releases them all.
type Tracer struct {
	prog    *spec.Program
	opts    Options
	maps    *ebpf.Collection // every map of prog.Maps, by name
	progs   []*ebpf.Program  // by probe index
	links   []link.Link
	closers []io.Closer // perf events behind interval links
	syms    *ksym.Lazy
	// records counts, per probe, the records Run read (Records).
	records []atomic.Uint64
	// attachErrs holds, per probe, why it did not attach (KeepGoing).
	attachErrs []error
	stats      AttachStats
	// watches are the breakpoints watchpoint:FUNCTION+argN armed while
	// running (nil: arming failed).
	watches map[watchKey]link.Link
	// mu keeps Close from closing the maps under a concurrent reader
	// (ReadMap, Lost).
	mu sync.RWMutex
}

// detach detaches every probe, the breakpoints armed while running
// included; the programs and maps stay.
//
// The links close concurrently: detaching a tracepoint: probe waits for
// RCU grace periods in the kernel (tracepoint_synchronize_unregister),
// which concurrent closes share, so four tracepoints detach in about the
// time of two instead of four (docs/performance.md).
func (t *Tracer) detach() error {
	errs := make([]error, len(t.links))
	var wg sync.WaitGroup
	for i, l := range t.links {
		wg.Go(func() { errs[i] = l.Close() })
	}
	wg.Wait()
	t.links = nil
	for _, l := range t.watches {
		if l != nil {
			errs = append(errs, l.Close())
		}
	}
	t.watches = nil
	return errors.Join(errs...)
}

// Close detaches every probe and closes the programs and maps. It is safe
// to call on a Tracer in any state, and more than once.
func (t *Tracer) Close() error {
	errs := []error{t.detach()}
	for _, c := range t.closers {
		errs = append(errs, c.Close())
	}
	t.closers = nil
	for _, p := range t.progs {
		errs = append(errs, p.Close())
	}
	t.progs = nil
	t.mu.Lock()
	if t.maps != nil {
		t.maps.Close()
		t.maps = nil
	}
	t.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// probeLabel names a probe in errors: its display name, and for
// expression-line probes ("p0") also what it attaches to.
func probeLabel(p *spec.Probe) string {
	where := attachName(p)
	if where == "" || where == p.Name {
		return p.Name
	}
	return p.Name + " (" + where + ")"
}

// attachName spells where a probe attaches as bpftrace would:
// "kprobe:ip_rcv", "tracepoint:sched:sched_switch".
func attachName(p *spec.Probe) string {
	switch p.Kind {
	case spec.AttachKprobe:
		if p.Offset != 0 {
			return fmt.Sprintf("kprobe:%s+%d", p.Target, p.Offset)
		}
	case spec.AttachBegin, spec.AttachEnd:
		return p.Kind.String()
	case spec.AttachInterval:
		return "interval:" + p.Interval.String()
	case spec.AttachProfile, spec.AttachSoftware, spec.AttachHardware, spec.AttachWatchpoint, spec.AttachAsyncWatchpoint,
		spec.AttachTCIngress, spec.AttachTCEgress:
		return p.Name
	}
	return p.Kind.String() + ":" + p.Target
}

// probeError prefixes err with the probe's source position and name and
// what was being done: "x.st:3:1: attach kprobe:ip_rcv: ...".
func probeError(p *spec.Probe, verb string, err error) error {
	return fmt.Errorf("%s: %s %s: %w", p.Pos, verb, probeLabel(p), err)
}
