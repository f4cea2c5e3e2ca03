package compiler

import (
	"github.com/cilium/ebpf"
	"github.com/surftrace/surftrace/spec"
)

// ScratchMap is the per-CPU array whose single value is the space a program
// builds its record in, so records may exceed the 512-byte BPF stack.
const ScratchMap = "scratch"

// Sizes of the shared maps.
const (
	stackEntries  = 4096 // distinct stacks StacksMap keeps
	maxStackDepth = 127  // PERF_MAX_STACK_DEPTH
)

// commonMaps returns the maps every expression-line program uses.
func commonMaps(opts Options, probes, scratch int, stacks bool) map[string]*ebpf.MapSpec {
	ring := opts.RingSize // set by Compile
	m := map[string]*ebpf.MapSpec{
		spec.EventsMap: {Name: spec.EventsMap, Type: ebpf.RingBuf, MaxEntries: uint32(ring)},
		spec.LostMap:   {Name: spec.LostMap, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: uint32(max(probes, 1))},
		ScratchMap:     {Name: ScratchMap, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: uint32(scratch), MaxEntries: 1},
	}
	if stacks {
		m[spec.StacksMap] = &ebpf.MapSpec{Name: spec.StacksMap, Type: ebpf.StackTrace, KeySize: 4,
			ValueSize: 8 * maxStackDepth, MaxEntries: stackEntries}
	}
	return m
}
