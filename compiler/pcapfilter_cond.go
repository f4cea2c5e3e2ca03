package compiler

import (
	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
)

// A pcap-filter expression (lang/pcapfilter) lowers to pcond, a tree of
// comparisons between packet reads and constants, which pcapJump emits
// as jumps. Packet bytes are read from the skb's network header
// (skb->head + skb->network_header) with bpf_probe_read_kernel, as the
// skb cast's h tag reads them; the ethertype is skb->protocol.

// pcond is a lowered filter: pcAnd, pcOr, pcNot, pcCmp or pcConst.
type pcond interface{}

type (
	pcAnd   struct{ x, y pcond }
	pcOr    struct{ x, y pcond }
	pcNot   struct{ x pcond }
	pcConst bool
	// pcCmp is x op y, unsigned.
	pcCmp struct {
		x  codegen.Node
		op asm.JumpOp
		y  codegen.Node
	}
)

// pcAll is the conjunction of cs, pcAny the disjunction and pcNeg the
// negation; they fold constants away (net 0.0.0.0/0 is true), so that
// only a whole filter can be constant and no jump is dead code.
func pcAll(cs ...pcond) pcond {
	var out pcond = pcConst(true)
	for _, c := range cs {
		switch {
		case c == pcConst(false):
			return c
		case c == pcConst(true):
		case out == pcConst(true):
			out = c
		default:
			out = &pcAnd{out, c}
		}
	}
	return out
}

func pcAny(cs ...pcond) pcond {
	var out pcond = pcConst(false)
	for _, c := range cs {
		switch {
		case c == pcConst(true):
			return c
		case c == pcConst(false):
		case out == pcConst(false):
			out = c
		default:
			out = &pcOr{out, c}
		}
	}
	return out
}

func pcNeg(c pcond) pcond {
	if k, ok := c.(pcConst); ok {
		return !k
	}
	return &pcNot{c}
}

func pcEq(x codegen.Node, k uint64) pcond { return &pcCmp{x, asm.JEq, &codegen.Const{V: k}} }

// pcapJump emits jumps to l when c's truth is want, falling through
// otherwise. Like a script's && and ||, what the right side of and/or
// computes is not reused after it.
func pcapJump(g *codegen.Builder, c pcond, want bool, l int) {
	switch c := c.(type) {
	case pcConst:
		panic("pcapJump: a constant inside a filter; pcAll and pcAny fold them")
	case *pcNot:
		pcapJump(g, c.x, !want, l)
	case *pcAnd, *pcOr:
		var x, y pcond
		isAnd := false
		if a, ok := c.(*pcAnd); ok {
			x, y, isAnd = a.x, a.y, true
		} else {
			o := c.(*pcOr)
			x, y = o.x, o.y
		}
		// For and wanting false (or wanting true) either side decides.
		if isAnd != want {
			pcapJump(g, x, want, l)
			end := g.Scope()
			pcapJump(g, y, want, l)
			end()
			return
		}
		skip := g.Label()
		pcapJump(g, x, !want, skip)
		end := g.Scope()
		pcapJump(g, y, want, l)
		end()
		g.Place(skip)
	case *pcCmp:
		op := c.op
		if !want {
			op = negate(op)
		}
		xr := g.Val(c.x)
		if k, ok := codegen.ConstOf(c.y); ok && k <= math32Max {
			g.Jump(op.Imm(xr, int32(k), ""), l)
			return
		}
		g.Jump(op.Reg(xr, g.Val(c.y), ""), l)
	}
}

// always are the values every filter reads first: computed before its
// branches, they are read once however the tests go.
func (p *pcapLower) always() []codegen.Node {
	return []codegen.Node{p.nh, &codegen.Swap{X: p.field("protocol", 2), Size: 2}}
}

// pcapMatch emits the filter c of p and returns a register holding 1 when
// the packet matches and 0 when not.
func pcapMatch(g *codegen.Builder, p *pcapLower, c pcond) asm.Register {
	r := g.Reg()
	if k, ok := c.(pcConst); ok {
		g.Emit(asm.Mov.Imm(r, map[pcConst]int32{true: 1}[k]))
		return r
	}
	for _, n := range p.always() {
		g.Val(n)
	}
	done := g.Label()
	g.Emit(asm.Mov.Imm(r, 0))
	end := g.Scope()
	pcapJump(g, c, false, done)
	end()
	g.Emit(asm.Mov.Imm(r, 1))
	g.Place(done)
	return r
}
