package compiler

import (
	"slices"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// SeenBy names tracepoints that see an object a kprobe's function takes,
// for the runtime to suggest when the kernel cannot attach kprobes.
type SeenBy struct {
	Type   string   // "struct sk_buff"
	Events []string // "net:net_dev_queue", sorted, at most maxSeenBy
	More   bool     // more tracepoints see it than Events lists
}

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
func (ki *kinfo) seenBy(proto *btf.FuncProto) *SeenBy {
	if proto == nil {
		return nil
	}
	index := ki.tracepointsByStruct()
	var best *SeenBy
	var bestN int
	bestBroad := true
	for _, p := range proto.Params {
		name, ok := structPtrName(p.Type)
		if !ok || len(index[name]) == 0 {
			continue
		}
		n, broad := len(index[name]), broadTypes[name]
		if best != nil && (broad && !bestBroad || broad == bestBroad && n <= bestN) {
			continue
		}
		events := index[name]
		best = &SeenBy{Type: "struct " + name, Events: slices.Clone(events[:min(len(events), maxSeenBy)]), More: len(events) > maxSeenBy}
		bestN, bestBroad = n, broad
	}
	return best
}

// tracepointsByStruct returns the struct -> tracepoints index (see
// structIndex), once per compilation: from the Kernel when it keeps one
// (HostKernel, on disk), else built from its tracepoint list. A Kernel
// that cannot list its tracepoints gets an empty map.
func (ki *kinfo) tracepointsByStruct() map[string][]string {
	if ki.tpByStruct != nil {
		return ki.tpByStruct
	}
	ki.tpByStruct = map[string][]string{}
	if ki.spec == nil {
		return ki.tpByStruct
	}
	if ix, ok := ki.k.(structIndexer); ok {
		if m := ix.tracepointIndex(ki.spec); m != nil {
			ki.tpByStruct = m
		}
		return ki.tpByStruct
	}
	lister, ok := ki.k.(tracepointLister)
	if !ok {
		return ki.tpByStruct
	}
	events, err := lister.Tracepoints()
	if err != nil {
		return ki.tpByStruct
	}
	ki.tpByStruct = structIndex(ki.spec, events)
	return ki.tpByStruct
}

// structIndexer is a Kernel that keeps the struct -> tracepoints index of
// its BTF spec (HostKernel); the map is shared and must not be changed.
type structIndexer interface {
	tracepointIndex(spec *btf.Spec) map[string][]string
}

// structIndex maps a struct name to the tracepoints ("subsys:event") of
// events whose arguments include a pointer to it, reading each event's
// btf_trace_EVENT typedef in spec: a pointer to a FuncProto of (void *ctx,
// args...). Those most about the struct come first: the ones taking it as
// their first argument, then those of the subsystems with most such
// events, then by name.
func structIndex(spec *btf.Spec, events []string) map[string][]string {
	seers := map[string][]seer{}
	for _, e := range events {
		_, name, ok := strings.Cut(e, ":")
		var td *btf.Typedef
		if !ok || spec.TypeByName("btf_trace_"+name, &td) != nil {
			continue
		}
		for i, st := range tracepointStructs(td) {
			if st != "" {
				seers[st] = append(seers[st], seer{e, i == 0})
			}
		}
	}
	ix := make(map[string][]string, len(seers))
	for name, ss := range seers {
		ix[name] = rankSeers(ss)
	}
	return ix
}

// seer is a tracepoint that sees a struct.
type seer struct {
	event string // "subsys:event"
	first bool   // the struct is the event's first argument
}

// rankSeers orders the tracepoints that see one struct, those most about
// it first: the ones taking it as their first argument, taking turns
// among subsystems (the subsystem with most such events first), then by
// name; then the others.
func rankSeers(ss []seer) []string {
	sort.Slice(ss, func(i, j int) bool { return ss[i].event < ss[j].event })
	perSubsys := map[string]int{}
	turn := make([]int, len(ss)) // how many of its subsystem's precede it
	for i, s := range ss {
		if s.first {
			turn[i] = perSubsys[subsysOf(s.event)]
			perSubsys[subsysOf(s.event)]++
		}
	}
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		a, b := ss[order[x]], ss[order[y]]
		if a.first != b.first {
			return a.first
		}
		if !a.first {
			return false
		}
		if ta, tb := turn[order[x]], turn[order[y]]; ta != tb {
			return ta < tb
		}
		return perSubsys[subsysOf(a.event)] > perSubsys[subsysOf(b.event)]
	})
	out := make([]string, len(ss))
	for i, o := range order {
		out[i] = ss[o].event
	}
	return out
}

// subsysOf returns the subsystem of "subsys:event".
func subsysOf(event string) string {
	sub, _, _ := strings.Cut(event, ":")
	return sub
}

// tracepointStructs returns the names of the structs a btf_trace_ typedef's
// arguments point to, each once; [0] is the first argument's, "" when the
// first argument is no struct pointer.
func tracepointStructs(td *btf.Typedef) []string {
	ptr, ok := td.Type.(*btf.Pointer)
	if !ok {
		return nil
	}
	fp, ok := ptr.Target.(*btf.FuncProto)
	if !ok || len(fp.Params) == 0 {
		return nil
	}
	names := []string{""} // [0] is the first argument's struct, if any
	seen := map[string]bool{}
	for i, p := range fp.Params[1:] { // fp.Params[0] is void *ctx
		if name, ok := structPtrName(p.Type); ok && !seen[name] {
			seen[name] = true
			if i == 0 {
				names[0] = name
			} else {
				names = append(names, name)
			}
		}
	}
	return names
}

// structPtrName returns NAME for a (possibly const or typedef'd) struct
// NAME *.
func structPtrName(t btf.Type) (string, bool) {
	p, ok := under(t).(*btf.Pointer)
	if !ok {
		return "", false
	}
	s, ok := under(p.Target).(*btf.Struct)
	if !ok || s.Name == "" {
		return "", false
	}
	return s.Name, true
}
