package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
)

// Scratch registers for reloading spilled operands. Neither holds a live
// value at an instruction that uses virtual registers: the generator moves
// call results out of r0 at once and sets up call arguments only with moves.
const (
	scratchDst = asm.R0
	scratchSrc = asm.R1
)

// lower replaces virtual registers by their locations, inserting reloads
// and spills, resolves jumps to labels and attaches each source comment to
// the first instruction of its group.
func lower(code []vins, loc map[asm.Register]location) (asm.Instructions, error) {
	var out []vins
	for _, v := range code {
		if v.label > 0 {
			out = append(out, v)
			continue
		}
		insns := rewrite(v.ins, loc)
		for i, ins := range insns {
			// Jumps write no register, so a rewritten jump comes last.
			target := 0
			if i == len(insns)-1 {
				target = v.target
			}
			out = append(out, vins{ins: ins, target: target, src: v.src})
		}
	}
	return resolve(out)
}

// rewrite returns ins with its virtual registers replaced.
func rewrite(ins asm.Instruction, loc map[asm.Register]location) []asm.Instruction {
	reads, writes := operands(ins)
	if !anyVirtual(reads) && !anyVirtual(writes) {
		return []asm.Instruction{ins}
	}
	op := ins.OpCode
	isMov := (op.Class() == asm.ALU64Class || op.Class() == asm.ALUClass) && op.ALUOp() == asm.Mov
	var pre, post []asm.Instruction
	// A move between a machine register and a spilled value is a plain
	// load or store.
	if isMov && op.Source() == asm.RegSource {
		dl, dv := locOf(ins.Dst, loc)
		sl, sv := locOf(ins.Src, loc)
		switch {
		case dv && dl.reg == 0 && !(sv && sl.reg == 0):
			return []asm.Instruction{asm.StoreMem(asm.R10, dl.slot, physOf(ins.Src, loc), asm.DWord)}
		case sv && sl.reg == 0 && !(dv && dl.reg == 0):
			return []asm.Instruction{asm.LoadMem(physOf(ins.Dst, loc), asm.R10, sl.slot, asm.DWord)}
		}
	}
	if l, v := locOf(ins.Src, loc); v {
		if l.reg == 0 && contains(reads, ins.Src) {
			pre = append(pre, asm.LoadMem(scratchSrc, asm.R10, l.slot, asm.DWord))
			ins.Src = scratchSrc
		} else {
			ins.Src = l.reg
		}
	}
	if l, v := locOf(ins.Dst, loc); v {
		if l.reg == 0 {
			if contains(reads, ins.Dst) {
				pre = append(pre, asm.LoadMem(scratchDst, asm.R10, l.slot, asm.DWord))
			}
			if contains(writes, ins.Dst) {
				post = append(post, asm.StoreMem(asm.R10, l.slot, scratchDst, asm.DWord))
			}
			ins.Dst = scratchDst
		} else {
			ins.Dst = l.reg
		}
	}
	return append(append(pre, ins), post...)
}

func locOf(r asm.Register, loc map[asm.Register]location) (location, bool) {
	if !isVirtual(r) {
		return location{}, false
	}
	return loc[r], true
}

func physOf(r asm.Register, loc map[asm.Register]location) asm.Register {
	if l, ok := locOf(r, loc); ok {
		return l.reg
	}
	return r
}

func anyVirtual(rs []asm.Register) bool {
	for _, r := range rs {
		if isVirtual(r) {
			return true
		}
	}
	return false
}

func contains(rs []asm.Register, r asm.Register) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// resolve computes jump offsets (counting double-width instructions) and
// sets source comments.
func resolve(code []vins) (asm.Instructions, error) {
	labelAt := map[int]int{}
	pos := 0
	for _, v := range code {
		if v.label > 0 {
			labelAt[v.label] = pos
			continue
		}
		pos += int(v.ins.Width())
	}
	var insns asm.Instructions
	pos = 0
	lastSrc := ""
	for _, v := range code {
		if v.label > 0 {
			continue
		}
		ins := v.ins
		pos += int(ins.Width())
		if v.target > 0 {
			at, ok := labelAt[v.target]
			if !ok {
				return nil, fmt.Errorf("internal error: jump to undefined label %d", v.target)
			}
			off := at - pos
			if off < -32768 || off > 32767 {
				return nil, fmt.Errorf("%w: jump of %d instructions", ErrTooLarge, off)
			}
			ins.Offset = int16(off)
		}
		if v.src != lastSrc {
			ins = ins.WithSource(asm.Comment(v.src))
			lastSrc = v.src
		}
		insns = append(insns, ins)
	}
	return insns, nil
}
