package compiler

import (
	"bytes"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// A script runs unchanged on kernels whose tracepoints and structs differ
// when it asks, with has_field(), what this kernel has, and compiles only
// the branch of an "if comptime" that the answer picks.

// comptimeIf generates "if comptime (cond) {...} else {...}": the
// condition is folded now and only the branch it picks is compiled. What
// a plain if folds (bound parameters, probe: consts.truth) folds here
// too; the rest must be comptimeCond's constants.
func (g *sgen) comptimeIf(s *lang.IfStmt) {
	truth, known := g.consts().truth(s.Cond)
	if !known {
		truth = g.comptimeCond(s.Cond)
	}
	list := s.Else
	if truth {
		list = s.Then
	}
	end := g.Scope()
	g.stmts(list)
	end()
}

// comptimeCond folds an "if comptime" condition: constants (has_field,
// sizeof, getopt values, literals) joined by !, && and ||, which
// short-circuit here as at run time, so "has_field(args, "x") && args->x
// == 1" never types args->x where it is missing — but it is not a
// constant either, which is an error.
func (g *sgen) comptimeCond(e lang.Expr) bool {
	switch x := e.(type) {
	case *lang.Unary:
		if x.Op == "!" {
			return !g.comptimeCond(x.X)
		}
	case *lang.Binary:
		switch x.Op {
		case "&&":
			return g.comptimeCond(x.X) && g.comptimeCond(x.Y)
		case "||":
			return g.comptimeCond(x.X) || g.comptimeCond(x.Y)
		case "==", "!=", "<", "<=", ">", ">=":
			return g.comptimeCompare(x)
		}
	}
	return g.constArg(e, "the condition of if comptime") != 0
}

// comptimeCompare folds a comparison of two constants: integers, or
// string literals (getopt's values are bound as literals) with == and !=.
func (g *sgen) comptimeCompare(e *lang.Binary) bool {
	a, b := g.expr(e.X), g.expr(e.Y)
	if a.kind == skStr && a.isLit && b.kind == skStr && b.isLit {
		switch e.Op {
		case "==":
			return bytes.Equal(a.lit, b.lit)
		case "!=":
			return !bytes.Equal(a.lit, b.lit)
		}
		fail(e, "strings compare with == and != only")
	}
	x, y := g.constArg(e.X, "the condition of if comptime"), g.constArg(e.Y, "the condition of if comptime")
	switch e.Op {
	case "==":
		return x == y
	case "!=":
		return x != y
	case "<":
		return x < y
	case "<=":
		return x <= y
	case ">":
		return x > y
	}
	return x >= y
}

// hasField decides has_field(): whether the type has the member path, or
// for args whether the probe's tracepoint or function has that field or
// argument.
func (g *sgen) hasField(e *lang.HasField) bool {
	if e.Field == "" {
		fail(e, "has_field needs a field name")
	}
	path := strings.Split(e.Field, ".")
	var t btf.Type
	switch {
	case e.Type != nil:
		t = g.scriptType(e.Type)
	case isArgs(e.X):
		if !g.hasArg(path[0], e) {
			return false
		}
		if len(path) == 1 {
			return true
		}
		x := g.arg(path[0], e)
		if x.kind != skInt && x.kind != skMem {
			return false
		}
		t, path = x.v.t, path[1:]
	default:
		x := g.expr(e.X)
		if x.kind != skInt && x.kind != skMem {
			fail(e.X, "has_field looks into a struct, union or enum, not %s", x.describe())
		}
		t = x.v.t
	}
	return hasMemberPath(t, path, e)
}

// hasArg reports whether the probe's tracepoint has field name, or its
// function (fentry, fexit, typed rawtracepoint) argument name.
func (g *sgen) hasArg(name string, at lang.Node) bool {
	for _, f := range g.t.tp {
		if f.Name == name {
			return true
		}
	}
	if g.t.proto != nil {
		for _, p := range g.t.proto.Params[g.t.skip:] {
			if p.Name == name {
				return true
			}
		}
	}
	if g.t.tp == nil && g.t.proto == nil {
		g.arg(name, at) // fails: the probe has no args
	}
	return false
}

// hasMemberPath reports whether t (a struct or union, or a pointer to
// one) has the members of path, each inside the one before; for an enum
// (the last step) whether it has a value of that name, spelled as a
// comparison with the enum spells it (NO_SOCKET for
// SKB_DROP_REASON_NO_SOCKET).
func hasMemberPath(t btf.Type, path []string, at lang.Node) bool {
	for i, name := range path {
		if names := enumNames(t); names != nil && i == len(path)-1 {
			for _, n := range names {
				if n == name {
					return true
				}
			}
			return false
		}
		agg := under(t)
		if p, ok := agg.(*btf.Pointer); ok {
			agg = under(p.Target)
		}
		members, ok := membersOf(agg)
		if !ok {
			fail(at, "has_field looks into a struct, union or enum, not %s", kernel.CType(t))
		}
		m, _, found := findMember(members, name, 0)
		if !found {
			return false
		}
		t = m.Type
	}
	return true
}

// isArgs reports whether e is the identifier args.
func isArgs(e lang.Expr) bool {
	id, ok := e.(*lang.Ident)
	return ok && id.Name == "args"
}
