package compiler

import (
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/lang"
)

// branch jumps to l when e's truth is want and falls through otherwise.
// && and || short-circuit: the right side's code runs only when needed,
// and what it computes is not reused after it.
func (g *sgen) branch(e lang.Expr, want bool, l int) {
	switch x := e.(type) {
	case *lang.Binary:
		switch x.Op {
		case "&&", "||":
			// A side known before the program runs (consts.truth) either
			// decides, or leaves the other side alone to compile.
			if v, ok := g.consts().truth(x); ok {
				g.constBranch(v, want, l)
				return
			}
			if v, ok := g.consts().truth(x.X); ok {
				if v == (x.Op == "||") {
					g.constBranch(v, want, l)
				} else {
					g.branch(x.Y, want, l)
				}
				return
			}
			// For && wanting false (|| wanting true) either side decides.
			decides := (x.Op == "&&") != want
			if decides {
				g.branch(x.X, want, l)
				end := g.Scope()
				g.branch(x.Y, want, l)
				end()
				return
			}
			skip := g.Label()
			g.branch(x.X, !want, skip)
			end := g.Scope()
			g.branch(x.Y, want, l)
			end()
			g.Place(skip)
			return
		case "==", "!=", "<", "<=", ">", ">=":
			g.compare(x, want, l)
			return
		}
	case *lang.Unary:
		if x.Op == "!" {
			g.branch(x.X, !want, l)
			return
		}
	}
	v := g.expr(e)
	if v.isStringy() || v.kind == skStr {
		fail(e, "a string is not a condition; compare it")
	}
	n := g.intNode(v, e)
	if k, ok := codegen.ConstOf(n); ok {
		if (k != 0) == want {
			g.Jump(asm.Ja.Label(""), l)
		}
		return
	}
	op := asm.JNE
	if !want {
		op = asm.JEq
	}
	g.Jump(op.Imm(g.Val(n), 0, ""), l)
}

// consts is what this program's conditions may know before it runs.
func (g *sgen) consts() consts { return consts{probe: g.t.name} }

// settleFor settles v for comparing with other: a char array in kernel
// memory compared with bytes (pton's IPv6 address) is read as its bytes,
// NULs included, not as a string that ends at the first NUL.
func (g *sgen) settleFor(v, other *sval, at lang.Node) *sval {
	if v.kind == skMem && other.kind == skBytes && v.v.addr != nil {
		if _, arr := under(v.v.t).(*btf.Array); arr {
			return g.bytes(v.v.addr, sizeof(v.v.t), v.v.user, render{})
		}
	}
	return g.settle(v, at)
}

// constBranch jumps to l when a condition known to be v is want.
func (g *sgen) constBranch(v, want bool, l int) {
	if v == want {
		g.Jump(asm.Ja.Label(""), l)
	}
}

// compare jumps to l when (x op y) == want.
func (g *sgen) compare(e *lang.Binary, want bool, l int) {
	x, y := g.expr(e.X), g.expr(e.Y)
	x, y, constant, result := g.compareEnum(e, x, y)
	if constant {
		if result == want {
			g.Jump(asm.Ja.Label(""), l)
		}
		return
	}
	if (isAggValue(x) || isAggValue(y)) && x.kind != skBytes && y.kind != skBytes {
		if e.Op != "==" && e.Op != "!=" {
			fail(e, "structs and arrays compare with == and != only")
		}
		g.aggEqual(x, y, want == (e.Op == "=="), l, e)
		return
	}
	if x.isStringy() || y.isStringy() || x.kind == skBytes || y.kind == skBytes {
		if e.Op != "==" && e.Op != "!=" {
			fail(e, "strings compare with == and != only")
		}
		eq := want == (e.Op == "==")
		g.strEqual(g.settleFor(x, y, e.X), g.settleFor(y, x, e.Y), -1, eq, l, e)
		return
	}
	xn, yn := g.intNode(x, e.X), g.intNode(y, e.Y)
	op := e.Op
	if _, c := codegen.ConstOf(xn); c {
		xn, yn = yn, xn
		x, y = y, x
		op = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}[op]
	}
	jumps := unsignedJumps
	if signedOp(xn, yn, x.v.t, y.v.t) {
		jumps = signedJumps
	}
	j := jumps[op]
	if !want {
		j = negate(j)
	}
	if kx, ok := codegen.ConstOf(xn); ok {
		if ky, ok := codegen.ConstOf(yn); ok {
			if constCompare(j, kx, ky) {
				g.Jump(asm.Ja.Label(""), l)
			}
			return
		}
	}
	xr := g.Val(xn)
	if k, ok := codegen.ConstOf(yn); ok && int64(k) >= math32Min && int64(k) <= math32Max {
		g.Jump(j.Imm(xr, int32(k), ""), l)
		return
	}
	g.Jump(j.Reg(xr, g.Val(yn), ""), l)
}

const (
	math32Min = -1 << 31
	math32Max = 1<<31 - 1
)

// constCompare evaluates a jump condition on constants.
func constCompare(j asm.JumpOp, x, y uint64) bool {
	switch j {
	case asm.JEq:
		return x == y
	case asm.JNE:
		return x != y
	case asm.JLT:
		return x < y
	case asm.JLE:
		return x <= y
	case asm.JGT:
		return x > y
	case asm.JGE:
		return x >= y
	case asm.JSLT:
		return int64(x) < int64(y)
	case asm.JSLE:
		return int64(x) <= int64(y)
	case asm.JSGT:
		return int64(x) > int64(y)
	case asm.JSGE:
		return int64(x) >= int64(y)
	}
	return false
}
