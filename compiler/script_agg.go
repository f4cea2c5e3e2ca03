package compiler

import (
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// An aggregate value (skAgg) is a C struct, union or array copied whole
// into scratch space: read from kernel or user memory ($s = *p,
// @a = p->arr), or kept in a variable, a map value or key, a tuple. Its
// sval has the type (v.t), the scratch offset (off) and size. A whole
// aggregate is 8-aligned, its size rounded up to 8 with zero padding, so
// that it is copied and compared a word at a time; a member or element
// of one that is itself an aggregate is a view into its parent (any
// offset, size exactly the type's) until it is kept or printed (whole).

// isAggType reports whether t is a struct, union or array.
func isAggType(t btf.Type) bool {
	switch under(t).(type) {
	case *btf.Struct, *btf.Union, *btf.Array:
		return true
	}
	return false
}

// aggRead copies aggregate v, in kernel or user memory, into scratch.
func (g *sgen) aggRead(v *sval) *sval {
	b := g.bytes(v.v.addr, sizeof(v.v.t), v.v.user, render{})
	return &sval{kind: skAgg, v: &value{t: v.v.t}, off: b.off, size: b.size}
}

// aggWhole returns aggregate v 8-aligned and padded, copying a view.
func (g *sgen) aggWhole(v *sval) *sval {
	if v.off%8 == 0 && v.size%8 == 0 {
		return v
	}
	n := sizeof(v.v.t)
	out := &sval{kind: skAgg, v: &value{t: v.v.t}, off: g.region(n), size: (n + 7) &^ 7}
	g.zero(out.off, out.size)
	g.copyExact(out.off, v.off, n)
	return out
}

// copyExact copies n bytes inside scratch space from src to the 8-aligned
// dst, each load and store as wide as src's alignment allows (the
// verifier refuses misaligned stack access).
func (g *sgen) copyExact(dst, src, n int) {
	t := g.Reg()
	for i := 0; i < n; {
		k := 8
		for k > n-i || (src+i)%k != 0 {
			k /= 2
		}
		op := codegen.SizeOp(k)
		g.Emit(asm.LoadMem(t, g.buf, int16(src+i), op), asm.StoreMem(g.buf, int16(dst+i), t, op))
		i += k
	}
}

// aggPart is the part of aggregate x of type t at byte offset off: a
// number is loaded, a char array becomes a string, an aggregate is a
// view.
func (g *sgen) aggPart(x *sval, t btf.Type, off int, at lang.Node) *sval {
	at0 := x.off + off
	switch {
	case isCharArray(t):
		n := sizeof(t)
		s := &sval{kind: skStr, off: g.region(n + 1), size: (n + 1 + 7) &^ 7}
		g.zero(s.off, s.size)
		g.copyExact(s.off, at0, n)
		return s
	case isAggType(t):
		return &sval{kind: skAgg, v: &value{t: t}, off: at0, size: sizeof(t)}
	case isScalar(t):
		size := sizeof(t)
		r := g.Reg()
		g.Emit(asm.LoadMem(r, g.buf, int16(at0), codegen.SizeOp(size)))
		return intOf(t, codegen.Truncate(&codegen.InReg{R: r}, size, isSigned(t)))
	}
	fail(at, "cannot read %s", kernel.CType(t))
	return nil
}

// aggMember types X.name on an aggregate value.
func (g *sgen) aggMember(x *sval, name string, arrow bool, at lang.Node) *sval {
	if arrow {
		fail(at, "->%s: %s is not a pointer; use .", name, kernel.CType(x.v.t))
	}
	members, ok := membersOf(under(x.v.t))
	if !ok {
		fail(at, "%s has no members", kernel.CType(x.v.t))
	}
	m, bitOff, found := findMember(members, name, 0)
	if !found {
		failHint(at, lang.DidYouMean(name, memberNames(members)), "%s has no member %s", kernel.CType(x.v.t), name)
	}
	if m.BitfieldSize > 0 {
		fail(at, "bitfield %s of a struct value cannot be read; read it through a pointer", name)
	}
	return g.aggPart(x, m.Type, int(bitOff/8), at)
}

// aggIndex types X[i] on an array value; i must be a constant.
func (g *sgen) aggIndex(x *sval, i codegen.Node, at lang.Node) *sval {
	a, ok := under(x.v.t).(*btf.Array)
	if !ok {
		fail(at, "cannot index %s", kernel.CType(x.v.t))
	}
	k, ok := codegen.ConstOf(i)
	if !ok {
		fail(at, "an array value is indexed by a constant")
	}
	if int64(k) < 0 || int64(k) >= int64(a.Nelems) {
		fail(at, "the index %d is out of bounds for array of size %d (%s)", int64(k), a.Nelems, kernel.CType(x.v.t))
	}
	return g.aggPart(x, a.Type, int(k)*sizeof(a.Type), at)
}

// aggField lays out a value of aggregate type t as a field: members and
// elements as they print; bitfield members are left out.
func aggField(t btf.Type) *spec.Field {
	f := &spec.Field{Size: sizeof(t)}
	switch u := under(t).(type) {
	case *btf.Struct, *btf.Union:
		f.Render = spec.RenderStruct
		members, _ := membersOf(u)
		for _, m := range members {
			if m.BitfieldSize > 0 {
				continue
			}
			ef := partField(m.Type)
			ef.Name, ef.Offset = m.Name, int(m.Offset/8)
			f.Elems = append(f.Elems, ef)
		}
	case *btf.Array:
		f.Render = spec.RenderArray
		es := sizeof(u.Type)
		for i := 0; i < int(u.Nelems); i++ {
			ef := partField(u.Type)
			ef.Offset = i * es
			f.Elems = append(f.Elems, ef)
		}
	}
	return f
}

// partField lays out a member or element of type t.
func partField(t btf.Type) *spec.Field {
	switch {
	case isCharArray(t):
		return &spec.Field{Size: sizeof(t), Render: spec.RenderString}
	case isAggType(t):
		return aggField(t)
	case isPointer(t):
		return &spec.Field{Size: sizeof(t), Render: spec.RenderHex}
	}
	f := &spec.Field{Size: sizeof(t), Render: spec.RenderUnsigned}
	if _, ok := under(t).(*btf.Enum); ok {
		f.Render, f.Enum = spec.RenderEnum, enumNames(t)
	} else if isSigned(t) {
		f.Render = spec.RenderSigned
	}
	return f
}

// alignof is t's alignment in a C struct, as bpftrace lays out tuples.
func alignof(t btf.Type) int {
	switch u := under(t).(type) {
	case *btf.Struct, *btf.Union:
		a := 1
		members, _ := membersOf(u)
		for _, m := range members {
			a = max(a, alignof(m.Type))
		}
		return a
	case *btf.Array:
		return alignof(u.Type)
	}
	return max(1, min(8, sizeof(t)))
}

// sameAggType reports whether aggregates of types a and b can share a
// variable or map.
func sameAggType(a, b btf.Type) bool {
	return a != nil && b != nil && kernel.CType(a) == kernel.CType(b) && sizeof(a) == sizeof(b)
}

// isAggValue reports whether v is a struct or array, by value or in
// memory (not a string).
func isAggValue(v *sval) bool {
	return v.kind == skAgg || v.kind == skMem && isAggType(v.v.t) && !v.isStringy()
}

// aggEqual jumps to l when aggregates x and y are equal (eq) or differ
// (!eq): their bytes compared a word at a time.
func (g *sgen) aggEqual(x, y *sval, eq bool, l int, at lang.Node) {
	x, y = g.settle(x, at), g.settle(y, at)
	if x.kind != skAgg || y.kind != skAgg || !sameAggType(x.v.t, y.v.t) {
		fail(at, "cannot compare %s with %s", x.describe(), y.describe())
	}
	different := g.Label()
	same := l
	if !eq {
		same, different = g.Label(), l
	}
	t, u := g.Reg(), g.Reg()
	for i := 0; i < x.size; i += 8 {
		g.Emit(asm.LoadMem(t, g.buf, int16(x.off+i), asm.DWord), asm.LoadMem(u, g.buf, int16(y.off+i), asm.DWord))
		g.Jump(asm.JNE.Reg(t, u, ""), different)
	}
	g.Jump(asm.Ja.Label(""), same)
	if eq {
		g.Place(different)
	} else {
		g.Place(same)
	}
}
