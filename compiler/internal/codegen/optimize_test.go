package codegen

import (
	"testing"

	"github.com/cilium/ebpf/asm"
)

// TestOptimize checks each rule of the pass, and that it keeps what may
// still matter: a 32-bit add of 0 (it zero-extends), a store a load may
// read, a store followed by a call, a jump over code, a value read later
// (also one that updates itself first).
func TestOptimize(t *testing.T) {
	ins := func(i ...asm.Instruction) []vins {
		var out []vins
		for _, x := range i {
			out = append(out, vins{ins: x})
		}
		return out
	}
	label := func(l int) vins { return vins{label: l} }
	jump := func(x asm.Instruction, l int) vins { return vins{ins: x, target: l} }
	st := func(base asm.Register, off int16, v int64, size asm.Size) asm.Instruction {
		return asm.Instruction{OpCode: asm.StoreImmOp(size), Dst: base, Offset: off, Constant: v}
	}
	ret := ins(asm.Mov.Imm(asm.R0, 0), asm.Return())
	cat := func(parts ...[]vins) []vins {
		var out []vins
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		in       []vins
		wantSize int
	}{
		{"add 0", cat(ins(asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, 0), asm.FnMapLookupElem.Call()), ret), 4},
		{"add32 0 kept", cat(ins(asm.Add.Imm32(asm.R2, 0), asm.FnMapLookupElem.Call()), ret), 4},
		{"jump to next", cat([]vins{jump(asm.Ja.Label(""), 1), label(2), label(1)}, ret), 2},
		{"jump over kept", cat([]vins{jump(asm.JEq.Imm(asm.R0, 0, ""), 1)}, ins(asm.Mov.Imm(asm.R0, 1)), []vins{label(1)}, ret), 4},
		{"overwritten store", cat(ins(st(asm.R10, -8, 0, asm.DWord), asm.Mov.Imm(asm.R1, 1),
			asm.StoreMem(asm.R10, -8, asm.R1, asm.DWord), asm.FnMapLookupElem.Call()), ret), 5},
		{"partly overwritten kept", cat(ins(st(asm.R10, -8, 0, asm.DWord), st(asm.R10, -8, 1, asm.Word),
			asm.FnMapLookupElem.Call()), ret), 5},
		{"store before load kept", cat(ins(st(asm.R10, -8, 0, asm.DWord), asm.LoadMem(asm.R1, asm.R6, 0, asm.DWord),
			asm.StoreMem(asm.R10, -8, asm.R1, asm.DWord), asm.FnMapLookupElem.Call()), ret), 6},
		{"store before call kept", cat(ins(st(asm.R10, -8, 0, asm.DWord), asm.FnMapLookupElem.Call(),
			st(asm.R10, -8, 1, asm.DWord), asm.FnMapLookupElem.Call()), ret), 6},
		{"base changed kept", cat(ins(st(asm.R2, 0, 0, asm.DWord), asm.Add.Imm(asm.R2, 8),
			st(asm.R2, 0, 1, asm.DWord), asm.FnMapLookupElem.Call()), ret), 6},
		{"unread value", cat(ins(asm.Mov.Reg(v(0), asm.R1), asm.LoadMem(v(1), v(0), 8, asm.DWord)), ret), 2},
		{"unread self-updated value", cat(ins(asm.Mov.Reg(v(0), asm.R10), asm.Add.Imm(v(0), -512)), ret), 2},
		{"self-updated value read kept", cat(ins(asm.Mov.Reg(v(0), asm.R10), asm.Add.Imm(v(0), -512),
			asm.StoreMem(v(0), 0, asm.R1, asm.DWord), asm.FnMapLookupElem.Call()), ret), 6},
		{"read value kept", cat(ins(asm.Mov.Reg(v(0), asm.R1), asm.LoadMem(v(1), v(0), 8, asm.DWord),
			asm.StoreMem(asm.R10, -8, v(1), asm.DWord), asm.FnMapLookupElem.Call()), ret), 6},
	} {
		got := optimize(append([]vins(nil), tc.in...))
		n := 0
		for _, v := range got {
			if v.label == 0 {
				n++
			}
		}
		if n != tc.wantSize {
			t.Errorf("%s: %d instructions left, want %d: %v", tc.name, n, tc.wantSize, got)
		}
	}
}
