package compiler

import (
	"github.com/cilium/ebpf/asm"
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/spec"
)

// filter evaluates the filter and jumps to the exit when it fails. It
// first computes every value the filter reads, so that each read happens
// once whichever way the conditions go, then tests.
func (g *lineGen) filter(c cond) {
	g.Src = g.lp.filterSrc
	g.operands(c)
	g.Src = g.lp.filterSrc
	g.jumpIfFalse(c, g.Exit)
}

// operands computes the values c reads.
func (g *lineGen) operands(c cond) {
	switch c := c.(type) {
	case *condAnd:
		g.operands(c.x)
		g.operands(c.y)
	case *condOr:
		g.operands(c.x)
		g.operands(c.y)
	case *condNot:
		g.operands(c.x)
	case *condCmp:
		g.Val(c.x)
		if _, ok := codegen.ConstOf(c.y); !ok {
			g.Val(c.y)
		}
	case *condStr:
		if c.f.kind == fieldComm {
			g.fillComm()
		} else {
			g.field(c.f)
		}
	case *condBytes:
		g.field(c.f)
	case *condPcap:
		for _, n := range c.p.always() {
			g.Val(n)
		}
	}
}

// jumpIfFalse jumps to l when c is false and falls through when true.
func (g *lineGen) jumpIfFalse(c cond, l int) {
	switch c := c.(type) {
	case *condAnd:
		g.jumpIfFalse(c.x, l)
		g.jumpIfFalse(c.y, l)
	case *condOr:
		pass := g.Label()
		g.jumpIfTrue(c.x, pass)
		g.jumpIfFalse(c.y, l)
		g.Place(pass)
	case *condNot:
		g.jumpIfTrue(c.x, l)
	case *condCmp:
		g.compare(negate(c.op), c, l)
	case *condStr:
		g.bytesTest(g.strOffset(c.f), strBytes(c), c.negate, l)
	case *condBytes:
		g.bytesTest(int16(spec.HdrSize+c.f.out.Offset), c.lit, c.negate, l)
	case *condPcap:
		end := g.Scope()
		pcapJump(g.Builder, c.c, false, l)
		end()
	}
}

// jumpIfTrue jumps to l when c is true and falls through when false.
func (g *lineGen) jumpIfTrue(c cond, l int) {
	switch c := c.(type) {
	case *condCmp:
		g.compare(c.op, c, l)
	case *condNot:
		g.jumpIfFalse(c.x, l)
	default:
		skip := g.Label()
		g.jumpIfFalse(c, skip)
		g.Jump(asm.Ja.Label(""), l)
		g.Place(skip)
	}
}

// compare emits "if x op y goto l".
func (g *lineGen) compare(op asm.JumpOp, c *condCmp, l int) {
	x := g.Val(c.x)
	if k, ok := codegen.ConstOf(c.y); ok && int64(k) >= -1<<31 && int64(k) < 1<<31 {
		g.Jump(op.Imm(x, int32(k), ""), l)
		return
	}
	g.Jump(op.Reg(x, g.Val(c.y), ""), l)
}

// bytesTest jumps to l unless the bytes at buf+off equal want (or, when
// negated, jumps to l if they do).
func (g *lineGen) bytesTest(off int16, want []byte, negated bool, l int) {
	target := l
	if negated {
		target = g.Label()
	}
	t := g.Reg()
	for i, b := range want {
		g.Emit(g.ld(t, off+int16(i), asm.Byte))
		g.Jump(asm.JNE.Imm(t, int32(b), ""), target)
	}
	if negated {
		g.Jump(asm.Ja.Label(""), l)
		g.Place(target)
	}
}

// strOffset is where string field f sits in the scratch buffer.
func (g *lineGen) strOffset(f *lineField) int16 {
	if f.kind == fieldComm {
		return spec.HdrComm
	}
	return int16(spec.HdrSize + f.out.Offset)
}

// strBytes is what a string test compares: the literal, and its NUL unless
// it is a prefix.
func strBytes(c *condStr) []byte {
	b := []byte(c.lit)
	if !c.prefix {
		b = append(b, 0)
	}
	return b
}

// negate returns the jump taken when op's condition is false.
func negate(op asm.JumpOp) asm.JumpOp {
	return map[asm.JumpOp]asm.JumpOp{
		asm.JEq: asm.JNE, asm.JNE: asm.JEq,
		asm.JLT: asm.JGE, asm.JGE: asm.JLT, asm.JLE: asm.JGT, asm.JGT: asm.JLE,
		asm.JSLT: asm.JSGE, asm.JSGE: asm.JSLT, asm.JSLE: asm.JSGT, asm.JSGT: asm.JSLE,
	}[op]
}
