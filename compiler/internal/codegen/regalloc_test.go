package codegen

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf/asm"
)

func v(i int) asm.Register { return vbase + asm.Register(i) }

// TestAllocate checks register assignment and spilling by linear scan.
func TestAllocate(t *testing.T) {
	for _, tc := range []struct {
		name string
		ivs  []interval
		want map[asm.Register]location
	}{
		{"disjoint reuse", []interval{{v(0), 0, 1, false}, {v(1), 2, 3, false}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R7}}},
		{"four fit", []interval{{v(0), 0, 9, false}, {v(1), 1, 9, false}, {v(2), 2, 9, false}, {v(3), 3, 9, false}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}}},
		{"longest spills", []interval{{v(0), 0, 20, false}, {v(1), 1, 5, false}, {v(2), 2, 5, false}, {v(3), 3, 5, false}, {v(4), 4, 5, false}},
			map[asm.Register]location{v(0): {slot: StackSpill0}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}, v(4): {reg: asm.R6}}},
		{"def at last read shares", []interval{{v(0), 0, 3, true}, {v(1), 3, 5, true}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R6}}},
		{"read at last read does not share", []interval{{v(0), 0, 3, true}, {v(1), 3, 5, false}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R7}}},
		{"newcomer spills", []interval{{v(0), 0, 9, false}, {v(1), 1, 9, false}, {v(2), 2, 9, false}, {v(3), 3, 9, false}, {v(4), 4, 10, false}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}, v(4): {slot: StackSpill0}}},
		{"slots reused", []interval{
			{v(0), 0, 3, false}, {v(1), 0, 3, false}, {v(2), 0, 3, false}, {v(3), 0, 3, false}, {v(4), 0, 3, false},
			{v(5), 4, 8, false}, {v(6), 4, 8, false}, {v(7), 4, 8, false}, {v(8), 4, 8, false}, {v(9), 4, 8, false}},
			map[asm.Register]location{
				v(0): {reg: asm.R6}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}, v(4): {slot: StackSpill0},
				v(5): {reg: asm.R6}, v(6): {reg: asm.R7}, v(7): {reg: asm.R8}, v(8): {reg: asm.R9}, v(9): {slot: StackSpill0}}},
	} {
		got, err := allocate(tc.ivs, StackSpill0, StackLimit)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for r, want := range tc.want {
			if got[r] != want {
				t.Errorf("%s: %v at %+v, want %+v", tc.name, r, got[r], want)
			}
		}
	}
}

// TestLowerSpills checks reloads and spills around instructions whose
// registers went to the stack.
func TestLowerSpills(t *testing.T) {
	loc := map[asm.Register]location{v(0): {slot: -24}, v(1): {reg: asm.R6}}
	code := []vins{
		{ins: asm.Mov.Reg(v(0), asm.R0)},
		{ins: asm.Add.Reg(v(1), v(0))},
		{ins: asm.Mov.Reg(asm.R3, v(0))},
		{ins: asm.JEq.Imm(v(0), 0, ""), target: 1},
		{label: 1},
	}
	insns, err := lower(code, loc)
	if err != nil {
		t.Fatal(err)
	}
	want := []asm.Instruction{
		asm.StoreMem(asm.R10, -24, asm.R0, asm.DWord),
		asm.LoadMem(asm.R1, asm.R10, -24, asm.DWord),
		asm.Add.Reg(asm.R6, asm.R1),
		asm.LoadMem(asm.R3, asm.R10, -24, asm.DWord),
		asm.LoadMem(asm.R0, asm.R10, -24, asm.DWord),
		asm.JEq.Imm(asm.R0, 0, ""),
	}
	want[5].Offset = 0 // the label follows the jump
	if len(insns) != len(want) {
		t.Fatalf("got %d instructions, want %d:\n%v", len(insns), len(want), insns)
	}
	for i := range want {
		g, w := insns[i], want[i]
		if g.OpCode != w.OpCode || g.Dst != w.Dst || g.Src != w.Src || g.Offset != w.Offset || g.Constant != w.Constant {
			t.Errorf("%d: got %v, want %v", i, g, w)
		}
	}
}

// Spills past the 512-byte stack are ErrStackFull, for errors.Is.
func TestAllocateStackFull(t *testing.T) {
	var ivs []interval
	for i := range 70 { // 4 registers, then 66 slots from -24: past -512
		ivs = append(ivs, interval{reg: v(i), start: i, end: 100})
	}
	if _, err := allocate(ivs, StackSpill0, StackLimit); !errors.Is(err, ErrStackFull) {
		t.Errorf("allocate of 70 live values: %v, want ErrStackFull", err)
	}
}

// Spill slots stay above the bytes the caller reserves at the bottom of
// the frame (scratch space on the stack): the slot at the floor is the
// last one, one more is ErrStackFull.
func TestAllocateFloor(t *testing.T) {
	live := func(n int) []interval {
		var ivs []interval
		for i := range n {
			ivs = append(ivs, interval{reg: v(i), start: i, end: 100})
		}
		return ivs
	}
	floor := StackSpill0 - 8 // two slots: -24 and -32
	loc, err := allocate(live(6), StackSpill0, floor)
	if err != nil || loc[v(5)].slot != int16(floor) {
		t.Errorf("6 live values above floor %d: %v, %v", floor, loc, err)
	}
	if _, err := allocate(live(7), StackSpill0, floor); !errors.Is(err, ErrStackFull) {
		t.Errorf("7 live values above floor %d: %v, want ErrStackFull", floor, err)
	}
}
