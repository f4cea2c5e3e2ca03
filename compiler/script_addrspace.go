package compiler

import (
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// addrSpaceCall generates uptr(p) and kptr(p): p itself, marked as a
// pointer into user or kernel memory, so that str(), buf() and
// dereferences read it with the user or the kernel helpers.
func (g *sgen) addrSpaceCall(e *lang.Call, user bool) *sval {
	x := g.expr(e.Args[0])
	if x.kind != skInt {
		fail(e.Args[0], "%s takes a pointer or an address, not %s", e.Name, x.describe())
	}
	t := x.v.t
	target := btf.Type(&btf.Void{})
	if p, ok := under(t).(*btf.Pointer); ok {
		target = p.Target
	} else if !isInteger(t) {
		fail(e.Args[0], "%s takes a pointer or an address, not %s", e.Name, x.describe())
	}
	target = stripUserTag(target)
	if user {
		target = &btf.TypeTag{Value: "user", Type: target}
	}
	out := *x
	out.v = &value{t: &btf.Pointer{Target: target}, n: g.intNode(x, e.Args[0])}
	if isInteger(t) {
		out.v.t = t
		if user {
			out.v.t = &btf.Pointer{Target: target}
		}
	}
	return &out
}

// stripUserTag drops the "user" type tag (and qualifiers above it) from
// a pointer's target.
func stripUserTag(t btf.Type) btf.Type {
	for {
		switch x := t.(type) {
		case *btf.TypeTag:
			if x.Value != "user" {
				return t
			}
			t = x.Type
		case *btf.Const:
			t = x.Type
		case *btf.Volatile:
			t = x.Type
		default:
			return t
		}
	}
}
