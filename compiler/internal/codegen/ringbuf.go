package codegen

import (
	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"
)

// Ring buffer wakeups.
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
	wakeupDiv = 8

	rbAvailData   = 0 // BPF_RB_AVAIL_DATA, bpf_ringbuf_query
	rbNoWakeup    = 1 // BPF_RB_NO_WAKEUP
	rbForceWakeup = 2 // BPF_RB_FORCE_WAKEUP
)

// RingbufOutput emits bpf_ringbuf_output(events, record, size, flags),
// setRecord putting the record's address in r2, and leaves the helper's
// result in r0. ring is the ring's size in bytes; the flags batch wakeups
// (see above), and wake forces one.
func (g *Builder) RingbufOutput(setRecord func(), size int32, ring int, wake bool) {
	if wake {
		g.Emit(asm.Mov.Imm(asm.R4, rbForceWakeup))
	} else {
		g.MapPtr(asm.R1, spec.EventsMap)
		g.Emit(asm.Mov.Imm(asm.R2, rbAvailData))
		g.Call(asm.FnRingbufQuery)
		g.Emit(asm.Mov.Imm(asm.R4, rbNoWakeup))
		quiet := g.Label()
		g.Jump(asm.JLT.Imm(asm.R0, int32(ring/wakeupDiv), ""), quiet)
		g.Emit(asm.Mov.Imm(asm.R4, rbForceWakeup))
		g.Place(quiet)
	}
	g.MapPtr(asm.R1, spec.EventsMap)
	setRecord()
	g.Emit(asm.Mov.Imm(asm.R3, size))
	g.Call(asm.FnRingbufOutput)
}
