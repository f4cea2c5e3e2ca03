package compiler

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
)

// Ring buffer sizes and wakeups.
//
// By default bpf_ringbuf_output wakes the reader whenever it had caught up,
// which under a steady stream of events means one irq_work (a self-IPI on
// the traced CPU) and one reader wakeup per record: the traced program
// slows down and the reader spends its time going to sleep. So a record is
// written with BPF_RB_NO_WAKEUP while fewer than ring/wakeupDiv bytes wait
// in the ring and with BPF_RB_FORCE_WAKEUP once more do: a burst wakes the
// reader once per batch. The reader also polls on a short timer
// (runtime's pollInterval), so a record written without a wakeup waits at
// most that long; exit() always wakes it at once.
const (
	defaultRingSize = 1 << 23 // bytes of EventsMap: 100k records of a short printf
	minRingSize     = 1 << 12 // one page
	maxRingSize     = 1 << 30
	wakeupDiv       = 8
	// controlRingSize is the ring of a program whose records only act
	// (exit, clear, zero, print of a map): a few header-sized records, so
	// the reader need not map megabytes (the ring's pages count in its RSS
	// twice, as the kernel maps the data area twice).
	controlRingSize = 1 << 16

	rbAvailData   = 0 // BPF_RB_AVAIL_DATA, bpf_ringbuf_query
	rbNoWakeup    = 1 // BPF_RB_NO_WAKEUP
	rbForceWakeup = 2 // BPF_RB_FORCE_WAKEUP
)

// ringSize returns the ring buffer size opts ask for, or the default.
func ringSize(opts Options) (int, error) {
	n := opts.RingSize
	if n == 0 {
		return defaultRingSize, nil
	}
	if n < minRingSize || n > maxRingSize || n&(n-1) != 0 {
		return 0, fmt.Errorf("ring buffer size %d is not a power of two between %d and %d", n, minRingSize, maxRingSize)
	}
	return n, nil
}

// ringbufOutput emits bpf_ringbuf_output(events, record, size, flags),
// setRecord putting the record's address in r2, and leaves the helper's
// result in r0. The flags batch wakeups (see above); wake forces one.
func (g *gen) ringbufOutput(setRecord func(), size int32, ring int, wake bool) {
	if wake {
		g.emit(asm.Mov.Imm(asm.R4, rbForceWakeup))
	} else {
		g.mapPtr(asm.R1, EventsMap)
		g.emit(asm.Mov.Imm(asm.R2, rbAvailData))
		g.call(asm.FnRingbufQuery)
		g.emit(asm.Mov.Imm(asm.R4, rbNoWakeup))
		quiet := g.label()
		g.jump(asm.JLT.Imm(asm.R0, int32(ring/wakeupDiv), ""), quiet)
		g.emit(asm.Mov.Imm(asm.R4, rbForceWakeup))
		g.place(quiet)
	}
	g.mapPtr(asm.R1, EventsMap)
	setRecord()
	g.emit(asm.Mov.Imm(asm.R3, size))
	g.call(asm.FnRingbufOutput)
}

// printsLines reports whether any event carries output the reader prints
// from the record itself: trace lines, printf, time or print(value).
func printsLines(events []*Event) bool {
	for _, ev := range events {
		switch ev.Kind {
		case EventExit, EventClear, EventZero:
		case EventPrint:
			if ev.Map == "" {
				return true
			}
		default:
			return true
		}
	}
	return false
}
