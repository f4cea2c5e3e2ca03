package codegen

import (
	"sort"

	"github.com/cilium/ebpf/asm"
)

// The stack frame: a temporary that helpers read kernel memory into, the
// key of map lookups, then spill slots downwards.
const (
	StackTemp   = -8
	StackKey    = -16
	StackSpill0 = -24
	StackLimit  = -512
)

// allocatable are the callee-saved registers, which survive helper calls.
var allocatable = []asm.Register{asm.R6, asm.R7, asm.R8, asm.R9}

// interval is the live range of a virtual register: the indices of its
// first and last appearance in straight-line order, widened over loops.
// Expression code jumps only forwards, so a value is live on every path
// within those indices; a loop's backward jump makes a value used in the
// loop but computed before it live until the jump (see extendOverLoops).
type interval struct {
	reg        asm.Register
	start, end int
}

// location is where the allocator put a virtual register: a machine
// register, or a stack slot (offset from r10) when reg is zero.
type location struct {
	reg  asm.Register
	slot int16
}

// liveIntervals computes the interval of every virtual register, ordered by
// start.
func liveIntervals(code []vins) []interval {
	idx := map[asm.Register]*interval{}
	var order []*interval
	for i, v := range code {
		if v.label > 0 {
			continue
		}
		r, w := operands(v.ins)
		for _, reg := range append(r, w...) {
			if !isVirtual(reg) {
				continue
			}
			if iv, ok := idx[reg]; ok {
				iv.end = i
				continue
			}
			iv := &interval{reg: reg, start: i, end: i}
			idx[reg] = iv
			order = append(order, iv)
		}
	}
	extendOverLoops(code, order)
	out := make([]interval, len(order))
	for i, iv := range order {
		out[i] = *iv
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// extendOverLoops widens intervals over loops. For a backward jump at j
// to a label at i, a value that is live at i (it appears before and
// inside the loop) stays live until j, since the next iteration reads it
// again; a value whose first appearance in the loop is a read (its
// definition comes later in the body, from the previous iteration) is live
// over the whole loop. Nested loops are handled by iterating to a fixpoint.
func extendOverLoops(code []vins, ivs []*interval) {
	at := map[int]int{}
	for i, v := range code {
		if v.label > 0 {
			at[v.label] = i
		}
	}
	type loop struct{ head, back int }
	var loops []loop
	for j, v := range code {
		if i, ok := at[v.target]; ok && v.target > 0 && i < j {
			loops = append(loops, loop{i, j})
		}
	}
	if len(loops) == 0 {
		return
	}
	readFirst := map[asm.Register]bool{}
	seen := map[asm.Register]bool{}
	for _, v := range code {
		if v.label > 0 {
			continue
		}
		r, w := operands(v.ins)
		for _, reg := range r {
			if isVirtual(reg) && !seen[reg] {
				readFirst[reg] = true
			}
		}
		for _, reg := range append(r, w...) {
			seen[reg] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, l := range loops {
			for _, iv := range ivs {
				switch {
				case iv.start < l.head && iv.end >= l.head && iv.end < l.back:
					iv.end, changed = l.back, true
				case readFirst[iv.reg] && iv.start >= l.head && iv.start <= l.back && (iv.start > l.head || iv.end < l.back):
					iv.start, iv.end, changed = l.head, max(iv.end, l.back), true
				}
			}
		}
	}
}

// allocate assigns each interval a location by linear scan: when more values
// are live than there are registers, the one that lives longest goes to the
// stack for its whole interval. Stack slots are reused once free; the first
// is at firstSlot (below it the frame holds the script's variables).
func allocate(ivs []interval, firstSlot int) (map[asm.Register]location, error) {
	loc := map[asm.Register]location{}
	var active []interval // holding registers, sorted by end
	free := append([]asm.Register(nil), allocatable...)
	var slotEnds []int // per slot: end of the interval using it, -1 when free
	assignSlot := func(iv interval) error {
		for i, end := range slotEnds {
			if end < iv.start {
				slotEnds[i] = iv.end
				loc[iv.reg] = location{slot: int16(firstSlot - 8*i)}
				return nil
			}
		}
		off := firstSlot - 8*len(slotEnds)
		if off < StackLimit {
			return ErrStackFull
		}
		slotEnds = append(slotEnds, iv.end)
		loc[iv.reg] = location{slot: int16(off)}
		return nil
	}
	for _, iv := range ivs {
		// Expire intervals that ended before this one starts.
		keep := active[:0]
		for _, a := range active {
			if a.end < iv.start {
				free = append(free, loc[a.reg].reg)
			} else {
				keep = append(keep, a)
			}
		}
		active = keep
		if len(free) > 0 {
			r := free[0]
			free = free[1:]
			loc[iv.reg] = location{reg: r}
			active = insertByEnd(active, iv)
			continue
		}
		// Spill whichever of iv and the active intervals ends last.
		last := active[len(active)-1]
		if last.end > iv.end {
			loc[iv.reg] = location{reg: loc[last.reg].reg}
			if err := assignSlot(last); err != nil {
				return nil, err
			}
			active = insertByEnd(active[:len(active)-1], iv)
		} else if err := assignSlot(iv); err != nil {
			return nil, err
		}
	}
	return loc, nil
}

func insertByEnd(active []interval, iv interval) []interval {
	i := sort.Search(len(active), func(i int) bool { return active[i].end > iv.end })
	active = append(active, interval{})
	copy(active[i+1:], active[i:])
	active[i] = iv
	return active
}
