package runtime

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/spec"
)

// perfLinks is one probe's programs attached to its perf events, one a
// CPU (or one for a watched process); closing it detaches them all and
// closes the events.
type perfLinks struct {
	link.Link // the first; Close closes the rest too
	rest      []link.Link
	events    []*os.File
}

// Close detaches every link and closes every event.
func (p *perfLinks) Close() error {
	errs := []error{p.Link.Close()}
	for _, l := range p.rest {
		errs = append(errs, l.Close())
	}
	for _, ev := range p.events {
		errs = append(errs, ev.Close())
	}
	return errors.Join(errs...)
}

// attachPerf opens probe.Perf on every online CPU, or for a watchpoint
// with Options.PID set on that process, and attaches prog to each event.
// On error everything opened so far is closed.
func (t *Tracer) attachPerf(probe *spec.Probe, prog *ebpf.Program) (link.Link, error) {
	if probe.Perf == nil {
		return nil, fmt.Errorf("internal error: %s probe without a perf event", probe.Kind)
	}
	targets := []perfTarget{}
	if probe.Perf.Type == unix.PERF_TYPE_BREAKPOINT && t.opts.PID != 0 {
		targets = append(targets, perfTarget{pid: t.opts.PID, cpu: -1})
	} else {
		cpus, err := onlineCPUs()
		if err != nil {
			return nil, err
		}
		for _, cpu := range cpus {
			targets = append(targets, perfTarget{pid: -1, cpu: cpu})
		}
	}
	var links []link.Link
	var events []*os.File
	fail := func(err error) (link.Link, error) {
		for _, l := range links {
			l.Close()
		}
		for _, ev := range events {
			ev.Close()
		}
		return nil, err
	}
	for _, tg := range targets {
		ev, err := openPerfEvent(probe.Perf, tg)
		if err != nil {
			return fail(err)
		}
		events = append(events, ev)
		l, err := link.AttachRawLink(link.RawLinkOptions{Target: int(ev.Fd()), Program: prog, Attach: ebpf.AttachPerfEvent})
		if err != nil {
			return fail(err)
		}
		links = append(links, l)
	}
	if len(links) == 0 {
		return nil, errors.New("no online CPU")
	}
	return &perfLinks{Link: links[0], rest: links[1:], events: events}, nil
}

// perfTarget is where a perf event counts: a CPU (pid -1) or a process
// on any CPU (cpu -1).
type perfTarget struct{ pid, cpu int }

// openPerfEvent opens ev for tg. Errors say which event and CPU, and
// that the machine lacks it when the kernel says so (ENOENT, ENODEV,
// EOPNOTSUPP: no PMU for a hardware event, say).
func openPerfEvent(ev *spec.PerfEvent, tg perfTarget) (*os.File, error) {
	attr := unix.PerfEventAttr{
		Type:    ev.Type,
		Config:  ev.Config,
		Size:    uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample:  ev.Period,
		Bp_type: ev.BpType,
		Ext1:    ev.Addr,
		Ext2:    ev.Len,
	}
	if ev.Freq {
		attr.Bits |= unix.PerfBitFreq
	}
	if tg.pid != -1 {
		// Threads the process starts later (a -c command's runtime,
		// say) are watched too.
		attr.Bits |= unix.PerfBitInherit
	}
	fd, err := unix.PerfEventOpen(&attr, tg.pid, tg.cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		where := "cpu " + strconv.Itoa(tg.cpu)
		if tg.pid != -1 {
			where = "pid " + strconv.Itoa(tg.pid)
		}
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.EOPNOTSUPP) {
			return nil, fmt.Errorf("perf_event_open on %s: %w (this machine lacks the event)", where, err)
		}
		if errors.Is(err, unix.ENOSPC) {
			return nil, fmt.Errorf("perf_event_open on %s: %w (you are out of watchpoint registers)", where, err)
		}
		return nil, fmt.Errorf("perf_event_open on %s: %w", where, err)
	}
	return os.NewFile(uintptr(fd), "perf-event"), nil
}

// onlineCPUs reads /sys/devices/system/cpu/online ("0-3,6").
func onlineCPUs() ([]int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, err
	}
	return parseCPUList(strings.TrimSpace(string(b)))
}

// parseCPUList reads the kernel's CPU list format: "0-3,6".
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	for _, r := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || b < a {
			return nil, fmt.Errorf("bad CPU list %q", s)
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
