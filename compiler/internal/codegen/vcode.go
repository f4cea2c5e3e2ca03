package codegen

import "github.com/cilium/ebpf/asm"

// vbase is the first virtual register number. Registers below it are the
// machine's r0..r10; the allocator maps the others onto r6..r9 or the stack.
const vbase asm.Register = 16

// maxVregs bounds the virtual registers of one program (asm.Register is
// a byte).
const maxVregs = 255 - int(vbase)

// vins is one instruction of virtual code: an instruction whose registers
// may be virtual, a label, or a jump to a label.
type vins struct {
	ins    asm.Instruction
	label  int // > 0: marks a position; ins is unused
	target int // > 0: ins is a jump whose offset is resolved to this label
	src    string
}

func isVirtual(r asm.Register) bool { return r >= vbase }

// operands reports which registers ins reads and writes.
func operands(ins asm.Instruction) (reads []asm.Register, writes []asm.Register) {
	op := ins.OpCode
	switch op.Class() {
	case asm.ALUClass, asm.ALU64Class:
		if op.Source() == asm.RegSource && op.ALUOp() != asm.Swap {
			reads = append(reads, ins.Src)
		}
		if op.ALUOp() != asm.Mov {
			reads = append(reads, ins.Dst)
		}
		writes = append(writes, ins.Dst)
	case asm.LdXClass:
		reads = append(reads, ins.Src)
		writes = append(writes, ins.Dst)
	case asm.LdClass:
		writes = append(writes, ins.Dst)
	case asm.StClass:
		reads = append(reads, ins.Dst)
	case asm.StXClass:
		reads = append(reads, ins.Dst, ins.Src)
	case asm.JumpClass, asm.Jump32Class:
		switch op.JumpOp() {
		case asm.Call, asm.Exit, asm.Ja:
		default:
			reads = append(reads, ins.Dst)
			if op.Source() == asm.RegSource {
				reads = append(reads, ins.Src)
			}
		}
	}
	return reads, writes
}
