package runtime

import (
	"encoding/binary"
	"errors"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/spec"
)

// watchKey is one armed breakpoint of a watchpoint:FUNCTION+argN probe.
type watchKey struct {
	probe int
	addr  uint64
}

// watch acts on an EventWatch record, arming probe ev.Watch's breakpoint
// at the address the function received (once per address; a breakpoint
// that cannot be armed is warned about once), then continuing the process
// its uprobe stopped; or on an EventUnwatch record, disarming every
// breakpoint at the address, as bpftrace's unwatch().
func (t *Tracer) watch(p *printer, rec *record) {
	ev := rec.event
	addr := binary.NativeEndian.Uint64(rec.field(ev.Fields[0]))
	if ev.Kind == spec.EventUnwatch {
		for k, l := range t.watches {
			if k.addr == addr && l != nil {
				l.Close()
				delete(t.watches, k)
			}
		}
		return
	}
	pid := int(binary.NativeEndian.Uint64(rec.field(ev.Fields[1])))
	k := watchKey{ev.Watch, addr}
	if _, done := t.watches[k]; !done {
		l, err := t.armWatch(ev.Watch, addr)
		switch {
		case errors.Is(err, unix.ENOSPC):
			p.warn("Failed to attach watchpoint probe. You are out of watchpoint registers.")
		case err != nil:
			p.warn("%s: arming the breakpoint at 0x%x: %v", t.prog.Probes[ev.Watch].Name, addr, err)
		}
		if t.watches == nil {
			t.watches = map[watchKey]link.Link{}
		}
		t.watches[k] = l // nil when it failed: not tried again
	}
	if ev.Resume {
		unix.Kill(pid, unix.SIGCONT)
	}
}

// armWatch attaches probe index's program to a breakpoint at addr.
func (t *Tracer) armWatch(index int, addr uint64) (link.Link, error) {
	probe := *t.prog.Probes[index]
	perf := *probe.Perf
	perf.Addr, perf.Deferred = addr, false
	probe.Perf = &perf
	return t.attachPerf(&probe, t.progs[index])
}
