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

// rank orders struct types for a suggestion: a broad type last, the packet
// (struct sk_buff, what a surftrace user follows) first, the rest between.
func rank(name string) int {
	switch {
	case broadTypes[name]:
		return 0
	case name == "sk_buff":
		return 2
	}
	return 1
}

// seenBy picks, for function prototype proto, the struct pointer parameter
// type that tracepoints see and lists them. It returns nil when none does.
// The most specific type wins (see rank), and among types of one rank the
// one more tracepoints see (more places to look).
func (ki *kinfo) seenBy(proto *btf.FuncProto) *spec.SeenBy {
	if proto == nil {
		return nil
	}
	index := ki.tracepointsByStruct()
	var best *spec.SeenBy
	var bestN, bestRank int
	for _, p := range proto.Params {
		name, ok := kernel.StructPtrName(p.Type)
		if !ok || len(index[name]) == 0 {
			continue
		}
		n, r := len(index[name]), rank(name)
		if best != nil && (r < bestRank || r == bestRank && n <= bestN) {
			continue
		}
		events := index[name]
		best = &spec.SeenBy{Type: "struct " + name, Events: slices.Clone(events[:min(len(events), maxSeenBy)]), More: len(events) > maxSeenBy}
		bestN, bestRank = n, r
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
	if ki.vmlinux() == nil {
		return ki.tpByStruct
	}
	if ix, ok := ki.k.(kernel.StructIndexer); ok {
		if m := ix.TracepointIndex(ki.vmlinux()); m != nil {
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
	ki.tpByStruct = kernel.StructIndex(ki.vmlinux(), events)
	return ki.tpByStruct
}
