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
		{"disjoint reuse", []interval{{v(0), 0, 1}, {v(1), 2, 3}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R7}}},
		{"four fit", []interval{{v(0), 0, 9}, {v(1), 1, 9}, {v(2), 2, 9}, {v(3), 3, 9}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}}},
		{"longest spills", []interval{{v(0), 0, 20}, {v(1), 1, 5}, {v(2), 2, 5}, {v(3), 3, 5}, {v(4), 4, 5}},
			map[asm.Register]location{v(0): {slot: StackSpill0}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}, v(4): {reg: asm.R6}}},
		{"newcomer spills", []interval{{v(0), 0, 9}, {v(1), 1, 9}, {v(2), 2, 9}, {v(3), 3, 9}, {v(4), 4, 10}},
			map[asm.Register]location{v(0): {reg: asm.R6}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}, v(4): {slot: StackSpill0}}},
		{"slots reused", []interval{
			{v(0), 0, 3}, {v(1), 0, 3}, {v(2), 0, 3}, {v(3), 0, 3}, {v(4), 0, 3},
			{v(5), 4, 8}, {v(6), 4, 8}, {v(7), 4, 8}, {v(8), 4, 8}, {v(9), 4, 8}},
			map[asm.Register]location{
				v(0): {reg: asm.R6}, v(1): {reg: asm.R7}, v(2): {reg: asm.R8}, v(3): {reg: asm.R9}, v(4): {slot: StackSpill0},
				v(5): {reg: asm.R6}, v(6): {reg: asm.R7}, v(7): {reg: asm.R8}, v(8): {reg: asm.R9}, v(9): {slot: StackSpill0}}},
	} {
		got, err := allocate(tc.ivs, StackSpill0)
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
	if _, err := allocate(ivs, StackSpill0); !errors.Is(err, ErrStackFull) {
		t.Errorf("allocate of 70 live values: %v, want ErrStackFull", err)
	}
}
