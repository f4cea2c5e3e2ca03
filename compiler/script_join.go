package compiler

import (
	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// joinMax is how many strings join() reads, as bpftrace's join does.
const joinMax = 16

// joinCall generates join(ARGV[, "DELIM"]): the strings of a NULL-ended
// array of char pointers (a syscall's argv), at most joinMax of them,
// each cut at the string size; the runtime prints them joined by DELIM
// (a space by default) on one line. The record holds their count, then
// the strings.
func (g *sgen) joinCall(e *lang.Call) {
	x := g.settle(g.expr(e.Args[0]), e.Args[0])
	if x.kind != skInt {
		fail(e.Args[0], "join takes an array of string pointers (char **), not %s", x.describe())
	}
	delim := " "
	if len(e.Args) == 2 {
		delim = g.literal(e.Args[1], "join's delimiter")
	}
	user := g.userPtr(x.v.t)
	readPtr, readStr := g.ReadHelper(user, false), g.ReadHelper(user, true)
	size := g.sc.strSize()
	args := []*sval{nil}
	for range joinMax {
		s := &sval{kind: skStr, off: g.region(size), size: size}
		g.zero(s.off, size)
		args = append(args, s)
	}
	argv := g.Val(g.intNode(x, e.Args[0]))
	count := g.Reg()
	g.Emit(asm.Mov.Imm(count, 0))
	done := g.Label()
	for i, s := range args[1:] {
		g.StackAddr(asm.R1, codegen.StackTemp)
		g.Emit(asm.Mov.Imm(asm.R2, 8), asm.Mov.Reg(asm.R3, argv), asm.Add.Imm(asm.R3, int32(8*i)))
		g.Call(readPtr)
		ptr := g.Reg()
		g.Emit(asm.LoadMem(ptr, asm.R10, codegen.StackTemp, asm.DWord))
		g.Jump(asm.JEq.Imm(ptr, 0, ""), done)
		g.bufAddr(asm.R1, s.off)
		g.Emit(asm.Mov.Imm(asm.R2, int32(size)), asm.Mov.Reg(asm.R3, ptr))
		g.Call(readStr)
		g.Emit(asm.Add.Imm(count, 1))
	}
	g.Place(done)
	args[0] = intOf(u64Type, &codegen.InReg{R: count})
	g.event(spec.EventJoin, delim, "", args, e)
}
