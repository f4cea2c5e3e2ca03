package compiler

import (
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// addrSpaceCall generates uptr(p) and kptr(p): p itself, marked as a
// pointer into user or kernel memory, so that str(), buf() and
// dereferences read it with the user or the kernel helpers.
func (g *sgen) addrSpaceCall(e *lang.Call, user bool) *sval {
	x := g.settle(g.expr(e.Args[0]), e.Args[0])
	if x.kind != skInt {
		fail(e.Args[0], "%s takes a pointer or an address, not %s", e.Name, x.describe())
	}
	n := g.intNode(x, e.Args[0])
	p, isPtr := under(x.v.t).(*btf.Pointer)
	if !isPtr && !user {
		return &sval{kind: skInt, v: &value{t: x.v.t, n: n}, rend: x.rend} // a kernel address as it is
	}
	var target btf.Type = &btf.Void{}
	if isPtr {
		target = stripSpaceTag(p.Target)
	}
	if user {
		target = &btf.TypeTag{Value: "user", Type: target}
	} else if g.t.user {
		target = &btf.TypeTag{Value: "kernel", Type: target} // see isKernelPtr
	}
	return &sval{kind: skInt, v: &value{t: &btf.Pointer{Target: target}, n: n}, rend: x.rend}
}

// stripSpaceTag drops the address-space type tags, "user" and "kernel"
// (and qualifiers above them), from a pointer's target.
func stripSpaceTag(t btf.Type) btf.Type {
	for {
		switch x := t.(type) {
		case *btf.TypeTag:
			if x.Value != "user" && x.Value != "kernel" {
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
