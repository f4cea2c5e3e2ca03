package kernel

import (
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// StructIndex maps a struct name to the tracepoints ("subsys:event") of
// events whose arguments include a pointer to it, reading each event's
// btf_trace_EVENT typedef in spec: a pointer to a FuncProto of (void *ctx,
// args...). Those most about the struct come first: the ones taking it as
// their first argument, then those of the subsystems with most such
// events, then by name.
func StructIndex(spec *btf.Spec, events []string) map[string][]string {
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
		if name, ok := StructPtrName(p.Type); ok && !seen[name] {
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

// StructPtrName returns NAME for a (possibly const or typedef'd) struct
// NAME *.
func StructPtrName(t btf.Type) (string, bool) {
	p, ok := btf.UnderlyingType(t).(*btf.Pointer)
	if !ok {
		return "", false
	}
	s, ok := btf.UnderlyingType(p.Target).(*btf.Struct)
	if !ok || s.Name == "" {
		return "", false
	}
	return s.Name, true
}
