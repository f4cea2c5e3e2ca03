package compiler

import (
	"bytes"

	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
)

// strcontainsCall generates strcontains(HAYSTACK, "NEEDLE"): 1 when the
// needle occurs in the haystack before its NUL, else 0. The needle is a
// literal; the search is unrolled over every start position, each
// stopping at the haystack's end, so the verifier sees no loop.
func (g *sgen) strcontainsCall(e *lang.Call) *sval {
	hay := g.settle(g.expr(e.Args[0]), e.Args[0])
	if hay.kind != skStr {
		fail(e.Args[0], "strcontains searches a string, not %s", hay.describe())
	}
	needle := []byte(g.literal(e.Args[1], "strcontains' needle"))
	if i := bytes.IndexByte(needle, 0); i >= 0 {
		needle = needle[:i]
	}
	if hay.isLit {
		if bytes.Contains(hay.lit, needle) {
			return intConst(1)
		}
		return intConst(0)
	}
	if len(needle) == 0 {
		return intConst(1)
	}
	r, c := g.Reg(), g.Reg()
	found, done := g.Label(), g.Label()
	g.Emit(asm.Mov.Imm(r, 0))
	for i := 0; i+len(needle) <= hay.size; i++ {
		next := g.Label()
		g.Emit(asm.LoadMem(c, g.buf, int16(hay.off+i), asm.Byte))
		g.Jump(asm.JEq.Imm(c, 0, ""), done)
		for j, b := range needle {
			if j > 0 {
				g.Emit(asm.LoadMem(c, g.buf, int16(hay.off+i+j), asm.Byte))
			}
			g.Jump(asm.JNE.Imm(c, int32(b), ""), next)
		}
		g.Jump(asm.Ja.Label(""), found)
		g.Place(next)
	}
	g.Jump(asm.Ja.Label(""), done)
	g.Place(found)
	g.Emit(asm.Mov.Imm(r, 1))
	g.Place(done)
	return intOf(s64Type, &codegen.InReg{R: r})
}
