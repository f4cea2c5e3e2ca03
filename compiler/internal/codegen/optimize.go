package codegen

import "github.com/cilium/ebpf/asm"

// optimize rewrites virtual code into equivalent, shorter code before
// register allocation. Each rule is local and keeps what the verifier
// sees: it removes instructions whose effect is none (an add of 0, a jump
// to the next instruction), stores that a later store overwrites before
// anything can read them, and computations of values nothing reads. The
// rules run until none applies, since one removal exposes another (a
// dead value's only read was a removed instruction).
func optimize(code []vins) []vins {
	for {
		n := len(code)
		code = dropNoops(code)
		code = dropDeadStores(code)
		code = dropDeadValues(code)
		if len(code) == n {
			return code
		}
	}
}

// dropNoops removes 64-bit ALU operations with an identity immediate
// (x+0, x-0, x|0, x^0, shifts by 0) and jumps whose target is the next
// instruction. A 32-bit operation is kept: it zero-extends its register.
func dropNoops(code []vins) []vins {
	out := code[:0:0]
	for i, v := range code {
		if v.label == 0 && (isIdentityALU(v.ins) || jumpsToNext(code, i)) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func isIdentityALU(ins asm.Instruction) bool {
	op := ins.OpCode
	if op.Class() != asm.ALU64Class || op.Source() != asm.ImmSource || ins.Constant != 0 {
		return false
	}
	switch op.ALUOp() {
	case asm.Add, asm.Sub, asm.Or, asm.Xor, asm.LSh, asm.RSh, asm.ArSh:
		return true
	}
	return false
}

// jumpsToNext reports whether code[i] is a jump to a label placed before
// the next instruction; a conditional one only reads registers, so it is
// a no-op too.
func jumpsToNext(code []vins, i int) bool {
	if code[i].target == 0 {
		return false
	}
	for _, v := range code[i+1:] {
		if v.label == 0 {
			return false
		}
		if v.label == code[i].target {
			return true
		}
	}
	return false
}

// isStore reports whether ins writes memory without reading it (a plain
// store, not an atomic one), with the bytes it writes.
func isStore(ins asm.Instruction) (base asm.Register, off, size int, ok bool) {
	op := ins.OpCode
	if (op.Class() != asm.StClass && op.Class() != asm.StXClass) || op.Mode() != asm.MemMode {
		return 0, 0, 0, false
	}
	return ins.Dst, int(ins.Offset), op.Size().Sizeof(), true
}

// dropDeadStores removes a store whose bytes a later store to the same
// base register overwrites, when nothing between them can read memory:
// no load, call, atomic operation, label or jump, and no write to the
// base register.
func dropDeadStores(code []vins) []vins {
	dead := make([]bool, len(code))
	for i, v := range code {
		if v.label > 0 {
			continue
		}
		base, off, size, ok := isStore(v.ins)
		if !ok {
			continue
		}
	scan:
		for _, w := range code[i+1:] {
			if w.label > 0 || w.target > 0 {
				break
			}
			if b, o, s, ok := isStore(w.ins); ok {
				if b == base && o <= off && off+size <= o+s {
					dead[i] = true
					break
				}
				continue
			}
			switch w.ins.OpCode.Class() {
			case asm.LdXClass, asm.StClass, asm.StXClass, asm.JumpClass, asm.Jump32Class:
				break scan
			}
			_, writes := operands(w.ins)
			if contains(writes, base) {
				break
			}
		}
	}
	out := code[:0:0]
	for i, v := range code {
		if !dead[i] {
			out = append(out, v)
		}
	}
	return out
}

// dropDeadValues removes instructions whose only effect is to write
// virtual registers that no instruction reads.
func dropDeadValues(code []vins) []vins {
	read := map[asm.Register]bool{}
	for _, v := range code {
		if v.label > 0 {
			continue
		}
		reads, writes := operands(v.ins)
		for _, r := range reads {
			if !selfUpdate(v.ins, r, writes) {
				read[r] = true
			}
		}
	}
	out := code[:0:0]
	for _, v := range code {
		if v.label == 0 && v.target == 0 && onlyWritesUnread(v.ins, read) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// selfUpdate reports whether ins reads r only to write r again (r += 8):
// such a read does not keep r's values alive, so a value that only
// updates itself (a scratch pointer nothing uses) is dead with its
// updates.
func selfUpdate(ins asm.Instruction, r asm.Register, writes []asm.Register) bool {
	c := ins.OpCode.Class()
	return (c == asm.ALUClass || c == asm.ALU64Class) && isVirtual(r) && len(writes) == 1 && writes[0] == r
}

func onlyWritesUnread(ins asm.Instruction, read map[asm.Register]bool) bool {
	switch ins.OpCode.Class() {
	case asm.ALUClass, asm.ALU64Class, asm.LdXClass, asm.LdClass:
	default:
		return false
	}
	if ins.OpCode.Class() == asm.LdClass && ins.IsLoadFromMap() {
		return false
	}
	_, writes := operands(ins)
	for _, w := range writes {
		if !isVirtual(w) || read[w] {
			return false
		}
	}
	return len(writes) > 0
}
