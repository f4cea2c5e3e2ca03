package compiler

import (
	"strconv"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
)

func (g *sgen) nargs(e *lang.Call, lo, hi int) {
	if len(e.Args) < lo || len(e.Args) > hi {
		want := strconv.Itoa(lo)
		if hi > lo {
			want = strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
		}
		if hi == lo+100 {
			want = "at least " + strconv.Itoa(lo)
		}
		fail(e, "%s takes %s arguments, got %d", e.Name, want, len(e.Args))
	}
}

// call1 generates a call of a builtin function (scriptFuncs); stmt says
// it is a statement, whose value (if any) is dropped.
func (g *sgen) call1(e *lang.Call, stmt bool) *sval {
	f, ok := scriptFuncs[e.Name]
	switch {
	case !ok:
		failHint(e, lang.DidYouMean(e.Name, scriptFuncNames), "unknown function %s", e.Name)
	case f.agg != 0:
		fail(e, "%s() is an aggregation: assign it to a map, as in @x = %s(...)", e.Name, e.Name)
	case stmt && !f.void:
		fail(e, "the value of %s() is not used", e.Name)
	}
	g.nargs(e, f.min, f.max)
	return f.gen(g, e)
}

// literal folds e to a compile-time string: a literal or str($N).
func (g *sgen) literal(e lang.Expr, what string) string {
	v := g.expr(e)
	if v.param != nil {
		return *v.param
	}
	if v.kind == skStr && v.isLit {
		return string(v.lit)
	}
	fail(e, "%s must be a string literal", what)
	return ""
}

// convert applies an explicit render (ip(), b16(), ...).
func (g *sgen) convert(x *sval, rd render, at lang.Node) *sval {
	switch x.kind {
	case skInt:
		return &sval{kind: skInt, v: &value{t: x.v.t, n: g.intNode(x, at)}, rend: rd}
	case skMem:
		if rd.size <= 8 && validSize(rd.size) {
			return &sval{kind: skInt, v: &value{t: u64Type, n: &codegen.Load{Addr: x.v.addr, Size: rd.size, User: x.v.user}}, rend: rd}
		}
		return g.bytes(x.v.addr, rd.size, x.v.user, rd)
	case skBytes:
		x2 := *x
		x2.rend = rd
		return &x2
	}
	fail(at, "cannot show %s as an address or number", x.describe())
	return nil
}

// ntop shows an IPv4 or IPv6 address: a 4-byte integer or array is IPv4,
// 16 bytes are IPv6; ntop(AF, x) with a constant family says which.
func (g *sgen) ntop(e *lang.Call) *sval {
	x := g.expr(e.Args[len(e.Args)-1])
	at := e.Args[len(e.Args)-1]
	v6 := x.kind == skBytes && x.size >= 16 || x.kind == skMem && sizeof(x.v.t) == 16
	if len(e.Args) == 2 {
		af := g.constArg(e.Args[0], "ntop's address family (runtime families are not supported)")
		switch af {
		case 2:
			v6 = false
		case 10:
			v6 = true
		default:
			fail(e.Args[0], "ntop: family %d is neither AF_INET (2) nor AF_INET6 (10)", af)
		}
	}
	if v6 {
		return g.convert(x, render{r: spec.RenderIPv6, size: 16}, at)
	}
	if x.kind == skMem && sizeof(x.v.t) < 4 {
		fail(at, "ntop needs 4 or 16 bytes, %s has %d", x.describe(), sizeof(x.v.t))
	}
	return g.convert(x, render{r: spec.RenderIPv4, size: 4}, at)
}

// mapArg types a bare map argument (clear(@m), print(@m)).
func (g *sgen) mapArg(e lang.Expr, fn string) *smap {
	ref, ok := e.(*lang.MapRef)
	if !ok || len(ref.Keys) > 0 {
		fail(e, "%s takes a whole map: %s(@name)", fn, fn)
	}
	return g.sc.mapNamed(ref)
}

// print generates print(@m[, top[, div]]) and print(value).
func (g *sgen) print(e *lang.Call) {
	if ref, ok := e.Args[0].(*lang.MapRef); ok && len(ref.Keys) == 0 {
		m := g.sc.mapNamed(ref)
		var lim [2]int64
		for i, a := range e.Args[1:] {
			what := [2]string{"print's top", "print's div"}[i]
			if lim[i] = g.constArg(a, what); lim[i] < 0 {
				fail(a, "%s must not be negative", what)
			}
		}
		g.event(spec.EventPrint, "", m.name, nil, e)
		ev := g.sc.out.Events[len(g.sc.out.Events)-1]
		ev.Top, ev.Div = lim[0], lim[1]
		return
	}
	if len(e.Args) > 1 {
		fail(e.Args[1], "print of a value takes one argument")
	}
	v := g.settle(g.expr(e.Args[0]), e.Args[0])
	g.event(spec.EventPrint, "", "", []*sval{v}, e)
}
