package compiler

import (
	"slices"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
)

// maxSeenBy is how many tracepoints a suggestion names.
const maxSeenBy = 6

// broadTypes are structs that many functions take as context (the network
// namespace, the registers) rather than as the object they work on; a
// suggestion names them only when the function takes nothing else.
var broadTypes = map[string]bool{"net": true, "pt_regs": true, "nsproxy": true, "user_namespace": true}

// seenBy picks, for function prototype proto, the struct pointer parameter
// type that tracepoints see and lists them. It returns nil when none does.
// The most specific type wins: a broad type loses to any other, and among
// the rest the one more tracepoints see (more places to look).
func (ki *kinfo) seenBy(proto *btf.FuncProto) *spec.SeenBy {
	if proto == nil {
		return nil
	}
	index := ki.tracepointsByStruct()
	var best *spec.SeenBy
	var bestN int
	bestBroad := true
	for _, p := range proto.Params {
		name, ok := kernel.StructPtrName(p.Type)
		if !ok || len(index[name]) == 0 {
			continue
		}
		n, broad := len(index[name]), broadTypes[name]
		if best != nil && (broad && !bestBroad || broad == bestBroad && n <= bestN) {
			continue
		}
		events := index[name]
		best = &spec.SeenBy{Type: "struct " + name, Events: slices.Clone(events[:min(len(events), maxSeenBy)]), More: len(events) > maxSeenBy}
		bestN, bestBroad = n, broad
	}
	return best
}

// tracepointsByStruct returns the struct -> tracepoints index (see
// kernel.StructIndex), once per compilation: from the Kernel when it keeps
// one (kernel.Host, on disk), else built from its tracepoint list. A Kernel
// that cannot list its tracepoints gets an empty map.
func (ki *kinfo) tracepointsByStruct() map[string][]string {
	if ki.tpByStruct != nil {
		return ki.tpByStruct
	}
	ki.tpByStruct = map[string][]string{}
	if ki.spec == nil {
		return ki.tpByStruct
	}
	if ix, ok := ki.k.(kernel.StructIndexer); ok {
		if m := ix.TracepointIndex(ki.spec); m != nil {
			ki.tpByStruct = m
		}
		return ki.tpByStruct
	}
	lister, ok := ki.k.(kernel.TracepointLister)
	if !ok {
		return ki.tpByStruct
	}
	events, err := lister.Tracepoints()
	if err != nil {
		return ki.tpByStruct
	}
	ki.tpByStruct = kernel.StructIndex(ki.spec, events)
	return ki.tpByStruct
}
