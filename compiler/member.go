package compiler

import (
	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"

	"github.com/surftrace/surftrace/lang"
)

// member types X->name (arrow) or X.name.
func member(ki *kinfo, x *value, name string, arrow bool, at lang.Node) *value {
	var base codegen.Node
	var agg btf.Type
	user := x.user
	failUntyped(x, at)
	if arrow {
		p, ok := under(x.t).(*btf.Pointer)
		if !ok {
			fail(at, "->%s: %s is not a pointer", name, kernel.CType(x.t))
		}
		if x.hdr != nil {
			if v := x.hdr.xdata(name); v != nil {
				return v
			}
		}
		base, agg, user = rvalue(x, at), under(p.Target), isUserPtr(x.t)
		if _, void := agg.(*btf.Void); void {
			fail(at, "->%s: cannot look into void *; cast it first: !(struct NAME *)", name)
		}
	} else {
		if x.addr == nil {
			fail(at, ".%s: %s is not in memory; use ->", name, kernel.CType(x.t))
		}
		base, agg = x.addr, under(x.t)
		if isPointer(agg) {
			fail(at, ".%s: %s is a pointer; use ->", name, kernel.CType(x.t))
		}
	}
	members, ok := membersOf(agg)
	if !ok {
		fail(at, "%s has no members", kernel.CType(agg))
	}
	m, bitOff, found := findMember(members, name, 0)
	if !found {
		failHint(at, lang.DidYouMean(name, memberNames(members)), "%s has no member %s", kernel.CType(agg), name)
	}
	v := &value{t: m.Type, addr: codegen.Add(base, int64(bitOff/8)), user: user}
	if m.BitfieldSize > 0 {
		v.bitOff, v.bitSize = int(bitOff%8), int(m.BitfieldSize)
	}
	return v
}

func membersOf(t btf.Type) ([]btf.Member, bool) {
	switch s := t.(type) {
	case *btf.Struct:
		return s.Members, true
	case *btf.Union:
		return s.Members, true
	}
	return nil, false
}

// findMember finds name among members, descending into anonymous structs
// and unions; bitOff is the member's offset in bits from the outer start.
func findMember(members []btf.Member, name string, start btf.Bits) (btf.Member, btf.Bits, bool) {
	for _, m := range members {
		if m.Name == name {
			return m, start + m.Offset, true
		}
	}
	for _, m := range members {
		if m.Name != "" {
			continue
		}
		if inner, ok := membersOf(under(m.Type)); ok {
			if found, off, ok := findMember(inner, name, start+m.Offset); ok {
				return found, off, true
			}
		}
	}
	return btf.Member{}, 0, false
}

// memberNames lists names reachable from members, for hints.
func memberNames(members []btf.Member) []string {
	var out []string
	for _, m := range members {
		if m.Name != "" {
			out = append(out, m.Name)
		} else if inner, ok := membersOf(under(m.Type)); ok {
			out = append(out, memberNames(inner)...)
		}
	}
	return out
}

// index types X[i] on an array in memory or a pointer.
func index(x *value, i int64, at lang.Node) *value {
	failUntyped(x, at)
	switch t := under(x.t).(type) {
	case *btf.Array:
		if x.addr == nil {
			fail(at, "array is not in memory")
		}
		if t.Nelems > 0 && (i < 0 || i >= int64(t.Nelems)) {
			fail(at, "the index %d is out of bounds for array of size %d (%s)", i, t.Nelems, kernel.CType(x.t))
		}
		es := int64(sizeof(t.Type))
		if x.str {
			return &value{t: x.t, addr: codegen.Add(x.addr, i), str: true, end: x.end, user: x.user}
		}
		return &value{t: t.Type, addr: codegen.Add(x.addr, i*es), user: x.user}
	case *btf.Pointer:
		es := int64(sizeof(t.Target))
		return &value{t: t.Target, addr: codegen.Add(rvalue(x, at), i*es), user: isUserPtr(x.t)}
	}
	fail(at, "cannot index %s", kernel.CType(x.t))
	return nil
}
