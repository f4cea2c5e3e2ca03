package compiler

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
)

// smap is a script map: its key layout from its first use, its value type
// from its first assignment.
type smap struct {
	name  string // "@name" or "@"
	first lang.Node
	// keyed is set once the key layout is known; keys holds one field per
	// key expression, at 8-byte aligned offsets.
	keyed   bool
	keys    []*spec.Field
	keyKind []skind
	keySize int
	kind    spec.MapKind
	value   *spec.Field // MapScalar: the value's layout
	valKind skind
	// valType is an enum-typed value's type, so that reading the map
	// gives a value that still prints by name.
	valType btf.Type
	// provisional is set when a read typed the map before any assignment.
	provisional bool
	lo, hi, st  int64 // lhist parameters
	// ptr is the pointer type of a scalar map's pointer values: reads
	// keep it, so @p + 1 steps by the pointee's size as in bpftrace.
	ptr btf.Type
}

// mapNamed returns the map a reference names, creating it.
func (sc *scriptComp) mapNamed(ref *lang.MapRef) *smap {
	name := "@" + ref.Name
	m := sc.maps[name]
	if m == nil {
		m = &smap{name: name, first: ref}
		sc.maps[name] = m
		sc.mapOrder = append(sc.mapOrder, m)
	}
	return m
}

// ptrStep is what adding 1 to a value of m adds: the pointee's size for
// a map of pointers, else 1.
func (m *smap) ptrStep() int32 {
	if m.ptr == nil {
		return 1
	}
	p, _ := under(m.ptr).(*btf.Pointer)
	if size, err := btf.Sizeof(p.Target); err == nil && size > 0 {
		return int32(size)
	}
	return 1
}

// perCPU reports whether m's values are per CPU (the aggregations).
func (m *smap) perCPU() bool { return m.kind != spec.MapScalar }

// valueSize is the size of one (per-CPU) value.
func (m *smap) valueSize() int {
	switch m.kind {
	case spec.MapScalar:
		return (m.value.Size + 7) &^ 7
	case spec.MapAvg, spec.MapStats, spec.MapMin, spec.MapMax:
		return 16
	}
	return 8
}

// fullKeySize is the key's size in the kernel: the fields, and for hist
// and lhist the u32 bucket index; 8 zero bytes for a map without keys.
func (m *smap) fullKeySize() int {
	if m.kind == spec.MapHist || m.kind == spec.MapLhist {
		return m.keySize + 4
	}
	if m.keySize == 0 {
		return 8
	}
	return m.keySize
}

// spec is the kernel map.
func (m *smap) spec() *ebpf.MapSpec {
	typ := ebpf.Hash
	if m.perCPU() {
		typ = ebpf.PerCPUHash
	}
	return &ebpf.MapSpec{Name: progName("AT_" + m.name[1:]), Type: typ, KeySize: uint32(m.fullKeySize()),
		ValueSize: uint32(m.valueSize()), MaxEntries: 4096}
}

// info says how the runtime prints m.
func (m *smap) info() *spec.MapInfo {
	info := &spec.MapInfo{Name: m.name, Kind: m.kind, Key: m.keys, PerCPU: m.perCPU()}
	if m.kind == spec.MapScalar {
		info.Value = m.value
	}
	if m.kind == spec.MapLhist {
		info.Min, info.Max, info.Step = m.lo, m.hi, m.st
	}
	return info
}

// keyVals types the key expressions of ref, flattening one tuple.
func (g *sgen) keyVals(ref *lang.MapRef) []*sval {
	var out []*sval
	for _, k := range ref.Keys {
		v := g.settle(g.expr(k), k)
		if v.kind == skTuple && len(ref.Keys) == 1 {
			for _, e := range v.elems {
				out = append(out, g.settle(e, k))
			}
			continue
		}
		if v.kind != skInt && v.kind != skStr && v.kind != skBytes && v.kind != skAgg {
			fail(k, "a map key cannot be %s", v.describe())
		}
		out = append(out, v)
	}
	return out
}

// key builds the key of ref in scratch space, with room for a bucket
// index after it when extra is 4, and returns its offset.
func (g *sgen) key(m *smap, ref *lang.MapRef, extra int) int {
	vals := g.keyVals(ref)
	if !m.keyed {
		m.keyed = true
		off := 0
		names := keyNames(ref.Keys, len(vals))
		for i, v := range vals {
			// An enum-typed key is a RenderEnum field with its names
			// (fieldOf): text prints the name, metrics label by it.
			f := g.fieldOf(v, names[i])
			if v.kind == skStr {
				f.Size = max(v.size, g.sc.strSize())
				if !v.isLit {
					f.Size = v.size
				}
			}
			if prefixed, size, ok := prefixRender(keyName(ref.Keys, i)); ok && v.kind == skInt {
				f.Size, f.Render = size, prefixed
			}
			f.Offset = off
			off += (f.Size + 7) &^ 7
			m.keys = append(m.keys, f)
			m.keyKind = append(m.keyKind, v.kind)
		}
		m.keySize = off
	}
	if len(vals) != len(m.keys) {
		fail(ref, "map %s has %d keys here but %d where first used", m.name, len(vals), len(m.keys))
	}
	for i, v := range vals {
		if v.kind != m.keyKind[i] || v.kind == skAgg && !sameAggType(v.v.t, g.sc.aggTypes[m.keys[i]]) {
			fail(ref.Keys[min(i, len(ref.Keys)-1)], "map %s: key %d is %s here but %s where first used",
				m.name, i+1, kindWord(v.kind), kindWord(m.keyKind[i]))
		}
	}
	size := max(m.keySize, 8) + extra
	if m.keySize == 0 && extra > 0 {
		size = extra
	}
	// The fields fill their 8-byte aligned slots whole (putBytes pads
	// strings and bytes), and the caller writes the bucket index, so
	// only a key without fields or bucket needs zeroing (its 8 bytes):
	// nothing is written twice, and a value made in place (comm) goes
	// straight into its slot.
	off := g.region(size)
	if m.keySize == 0 && extra == 0 {
		g.zero(off, 8)
	}
	for i, v := range vals {
		f := *m.keys[i]
		if f.Size < 8 && v.kind == skInt {
			f.Size = 8 // integers fill their 8-byte slot, zero-extended
		}
		g.storeField(off, &f, v, ref, false)
	}
	return off
}

// keyNames names the key fields of a map where it is first used, for
// metrics labels: each key expression's name (exprName), or "keyN" when it
// has none or repeats an earlier one. A single tuple key flattened into n
// fields names them after the tuple's elements.
func keyNames(keys []lang.Expr, n int) []string {
	exprs := keys
	if len(keys) == 1 && n > 1 {
		if t, ok := keys[0].(*lang.Tuple); ok {
			exprs = t.Elems
		}
	}
	names := make([]string, n)
	seen := map[string]bool{}
	for i := range names {
		name := ""
		if i < len(exprs) {
			name = exprName(exprs[i])
		}
		if name == "" || seen[name] {
			name = "key" + strconv.Itoa(i)
		}
		seen[name] = true
		names[i] = name
	}
	return names
}

// exprName is the name an expression reads: a variable's ($reason:
// reason), a builtin's (comm), the last member's (args->daddr: daddr),
// through casts and a call's first argument (ntop(args->daddr): daddr);
// "" for anything else, and for names Prometheus reserves (a leading "__").
func exprName(e lang.Expr) string {
	var name string
	switch e := e.(type) {
	case *lang.Var:
		name = e.Name
	case *lang.Ident:
		name = e.Name
	case *lang.Member:
		name = e.Name
	case *lang.Cast:
		return exprName(e.X)
	case *lang.SkbCast:
		return exprName(e.X)
	case *lang.Call:
		if len(e.Args) > 0 {
			return exprName(e.Args[0])
		}
	}
	if name == "" || strings.HasPrefix(name, "__") || name[0] >= '0' && name[0] <= '9' {
		return "" // $1, or reserved
	}
	return name
}

// keyName is the variable name behind key expression i, for prefixes.
func keyName(keys []lang.Expr, i int) string {
	if i < len(keys) {
		if v, ok := keys[i].(*lang.Var); ok {
			return v.Name
		}
	}
	return ""
}

// setKind gives m its value kind, or checks that it agrees.
func (g *sgen) setKind(m *smap, kind spec.MapKind, at lang.Node) {
	switch {
	case m.kind == 0 || m.provisional:
		if m.provisional && (m.kind != kind || kind != spec.MapScalar) {
			g.sc.retry = true
		}
		m.kind, m.provisional = kind, false
	case m.kind != kind:
		fail(at, "map %s holds %s; it cannot also hold %s", m.name, kindNames[m.kind], kindNames[kind])
	}
}

var kindNames = map[spec.MapKind]string{
	spec.MapScalar: "values", spec.MapCount: "count()", spec.MapSum: "sum()", spec.MapAvg: "avg()", spec.MapMin: "min()",
	spec.MapMax: "max()", spec.MapStats: "stats()", spec.MapHist: "hist()", spec.MapLhist: "lhist()",
}

// setValue types a scalar map's value from v, or checks it.
func (g *sgen) setValue(m *smap, v *sval, at lang.Node) {
	wasProvisional := m.provisional
	g.setKind(m, spec.MapScalar, at)
	if m.value != nil && !wasProvisional {
		if v.kind != m.valKind {
			fail(at, "map %s holds %s values; cannot assign %s", m.name, kindWord(m.valKind), kindWord(v.kind))
		}
		if v.kind == skTuple && !g.sameShape(m.value, v) {
			fail(at, "map %s holds tuples of another shape; cannot assign %s", m.name, v.describe())
		}
		if v.kind == skAgg && !sameAggType(m.valType, v.v.t) {
			fail(at, "map %s holds %s; cannot assign %s", m.name, kernel.CType(m.valType), v.describe())
		}
		return
	}
	if wasProvisional && m.value != nil && v.kind != m.valKind {
		g.sc.retry = true
	}
	f := g.valueField(v)
	if r, size, ok := prefixRender(m.name[1:]); ok && v.kind == skInt {
		f.Size, f.Render = size, r
	}
	if v.kind == skInt && f.Render != spec.RenderStackID && f.Render != spec.RenderKsym && f.Render != spec.RenderSym && f.Render != spec.RenderEnum && f.Size == 8 && f.Render != spec.RenderSigned &&
		f.Render != spec.RenderStrftime && f.Render != spec.RenderUsername && f.Render != spec.RenderCgroupPath {
		f.Render = spec.RenderUnsigned
	}
	m.value, m.valKind = f, v.kind
	m.ptr = nil
	if v.kind == skInt && v.v != nil {
		if _, ok := under(v.v.t).(*btf.Pointer); ok {
			m.ptr = v.v.t
		}
	}
	if isEnum(v) || v.kind == skAgg {
		m.valType = v.v.t
	}
}

// valueField lays out v as a map value: a string (also inside a tuple)
// gets the full string size so later, longer values fit.
func (g *sgen) valueField(v *sval) *spec.Field {
	if v.kind == skTuple {
		f := &spec.Field{Render: spec.RenderTuple}
		for _, e := range v.elems {
			ef := g.valueField(e)
			ef.Offset = f.Size
			f.Size += (ef.Size + 7) &^ 7
			f.Elems = append(f.Elems, ef)
		}
		return f
	}
	f := g.fieldOf(v, "")
	if v.kind == skStr {
		f.Size = g.sc.strSize()
		if !v.isLit {
			f.Size = v.size
		}
	}
	return f
}

// sameShape reports whether tuple v has the elements of field f.
func (g *sgen) sameShape(f *spec.Field, v *sval) bool {
	if len(f.Elems) != len(v.elems) {
		return false
	}
	for i, e := range v.elems {
		want := skInt
		switch f.Elems[i].Render {
		case spec.RenderString:
			want = skStr
		case spec.RenderBytes, spec.RenderBuf:
			want = skBytes
		case spec.RenderTuple:
			want = skTuple
		case spec.RenderStruct, spec.RenderArray:
			want = skAgg
		}
		if e.kind != want && !(want == skInt && e.kind == skBytes) {
			return false
		}
		if want == skTuple && !g.sameShape(f.Elems[i], e) || want == skAgg && !sameAggType(e.v.t, g.sc.aggTypes[f.Elems[i]]) {
			return false
		}
	}
	return true
}

// lookup emits bpf_map_lookup_elem(m, key) into a new register; a
// missing key is a helper error for -kk, placed at at.
func (g *sgen) lookup(m *smap, key int, at lang.Node) asm.Register {
	g.MapPtr(asm.R1, m.name)
	g.bufAddr(asm.R2, key)
	g.Call(asm.FnMapLookupElem)
	g.checkHelper(asm.FnMapLookupElem, at)
	p := g.Reg()
	g.Emit(asm.Mov.Reg(p, asm.R0))
	return p
}

// lookupOrInit returns a pointer to m's value under key, inserting a zero
// value first when there is none. When even that fails (the map is full)
// the code jumps to the returned label, which the caller places after its
// update.
func (g *sgen) lookupOrInit(m *smap, key int, at lang.Node) (asm.Register, int) {
	p := g.lookup(m, key, at)
	have, skip := g.Label(), g.Label()
	g.Jump(asm.JNE.Imm(p, 0, ""), have)
	val := g.region(m.valueSize())
	g.zero(val, m.valueSize())
	g.MapPtr(asm.R1, m.name)
	g.bufAddr(asm.R2, key)
	g.bufAddr(asm.R3, val)
	g.Emit(asm.Mov.Imm(asm.R4, 1)) // BPF_NOEXIST: another CPU may have won
	g.Call(asm.FnMapUpdateElem)
	g.MapPtr(asm.R1, m.name)
	g.bufAddr(asm.R2, key)
	g.Call(asm.FnMapLookupElem)
	g.Emit(asm.Mov.Reg(p, asm.R0))
	g.Jump(asm.JEq.Imm(p, 0, ""), skip)
	g.Place(have)
	return p, skip
}

// mapAssign generates @m[k] = v, including the aggregations.
func (g *sgen) mapAssign(ref *lang.MapRef, rhs lang.Expr) {
	m := g.sc.mapNamed(ref)
	if c, ok := rhs.(*lang.Call); ok {
		if f, ok := scriptFuncs[c.Name]; ok && f.agg != 0 {
			g.aggregate(m, ref, f, c)
			return
		}
	}
	v := g.settle(g.expr(rhs), rhs)
	if v.kind != skInt && v.kind != skStr && v.kind != skBytes && v.kind != skTuple && v.kind != skAgg {
		fail(rhs, "a map cannot hold %s", v.describe())
	}
	g.setValue(m, v, rhs)
	key := g.key(m, ref, 0)
	val := g.region(m.valueSize())
	f := *m.value
	if v.kind == skInt {
		f.Size = 8
	}
	g.storeField(val, &f, v, rhs, false)
	g.MapPtr(asm.R1, m.name)
	g.bufAddr(asm.R2, key)
	g.bufAddr(asm.R3, val)
	g.Emit(asm.Mov.Imm(asm.R4, 0))
	g.Call(asm.FnMapUpdateElem)
	g.checkHelper(asm.FnMapUpdateElem, ref)
}

// mapUpdate generates @m[k] op= v (and ++, --) on an integer map; + and -
// are atomic.
func (g *sgen) mapUpdate(ref *lang.MapRef, op string, v *sval, at lang.Node) {
	m := g.sc.mapNamed(ref)
	if m.kind == 0 || m.provisional {
		g.setValue(m, &sval{kind: skInt, v: &value{t: s64Type}}, at)
	}
	if m.kind != spec.MapScalar || m.valKind != skInt {
		fail(at, "map %s holds %s; %s= needs an integer map", m.name, kindNames[m.kind], op)
	}
	n := g.intNode(v, at)
	key := g.key(m, ref, 0)
	p, skip := g.lookupOrInit(m, key, ref)
	switch op {
	case "+", "-":
		d := g.Reg()
		g.Emit(asm.Mov.Reg(d, g.Val(n)))
		if step := m.ptrStep(); step != 1 {
			g.Emit(asm.Mul.Imm(d, step))
		}
		if op == "-" {
			g.Emit(asm.Neg.Imm(d, 0))
		}
		g.Emit(asm.StoreXAdd(p, d, asm.DWord))
	default:
		old := g.Reg()
		g.Emit(asm.LoadMem(old, p, 0, asm.DWord))
		nv := g.arith(op, intOf(s64Type, &codegen.InReg{R: old}), intOf(v.v.t, n), at)
		g.Emit(asm.StoreMem(p, 0, g.Val(nv.v.n), asm.DWord))
	}
	g.Place(skip)
}

// mapRead generates @m[k] in an expression: the value, or zero (an empty
// string) when the key is missing.
func (g *sgen) mapRead(ref *lang.MapRef) *sval {
	m := g.sc.mapNamed(ref)
	if m.kind == 0 {
		// Not assigned yet in source order: assume an integer and
		// compile again once the real type is known.
		g.setValue(m, &sval{kind: skInt, v: &value{t: s64Type}}, ref)
		m.provisional = true
		g.sc.retry = true
	}
	switch m.kind {
	case spec.MapHist, spec.MapLhist, spec.MapAvg, spec.MapStats:
		fail(ref, "map %s holds %s, which cannot be read in a probe", m.name, kindNames[m.kind])
	}
	key := g.key(m, ref, 0)
	p := g.lookup(m, key, ref)
	skip := g.Label()
	if m.kind == spec.MapScalar && m.valKind != skInt {
		size := m.valueSize()
		out := &sval{kind: m.valKind, off: g.region(size), size: size, rend: render{r: m.value.Render, size: m.value.Size}}
		if m.valKind == skStr {
			out.rend = render{}
		}
		if m.valKind == skAgg {
			out.rend, out.v = render{}, &value{t: m.valType}
		}
		g.zero(out.off, size)
		g.Jump(asm.JEq.Imm(p, 0, ""), skip)
		t := g.Reg()
		for i := 0; i < size; i += 8 {
			g.Emit(asm.LoadMem(t, p, int16(i), asm.DWord), asm.StoreMem(g.buf, int16(out.off+i), t, asm.DWord))
		}
		g.Place(skip)
		if m.valKind == skTuple {
			return g.tupleAt(out.off, m.value)
		}
		return out
	}
	r := g.Reg()
	g.Emit(asm.Mov.Imm(r, 0))
	g.Jump(asm.JEq.Imm(p, 0, ""), skip)
	g.Emit(asm.LoadMem(r, p, 0, asm.DWord))
	g.Place(skip)
	v := intOf(s64Type, &codegen.InReg{R: r})
	if m.kind == spec.MapScalar {
		if m.value.Render == spec.RenderUnsigned {
			v.v.t = u64Type
		}
		if m.ptr != nil {
			v.v.t = m.ptr
		}
		if m.value.Render == spec.RenderEnum && m.valType != nil {
			v.v.t = m.valType
		}
		if !isIntegerRender(m.value.Render) && m.value.Render != spec.RenderEnum {
			v.rend = render{r: m.value.Render, size: m.value.Size, format: m.value.Format}
		}
	}
	return v
}

// tupleAt is the tuple laid out as f in scratch space at off.
func (g *sgen) tupleAt(off int, f *spec.Field) *sval {
	out := &sval{kind: skTuple}
	for _, ef := range f.Elems {
		at := off + ef.Offset
		var e *sval
		switch {
		case ef.Render == spec.RenderTuple:
			e = g.tupleAt(at, ef)
		case ef.Render == spec.RenderStruct || ef.Render == spec.RenderArray:
			e = &sval{kind: skAgg, v: &value{t: g.sc.aggTypes[ef]}, off: at, size: (ef.Size + 7) &^ 7}
		case ef.Render == spec.RenderString:
			e = &sval{kind: skStr, off: at, size: (ef.Size + 7) &^ 7}
		case ef.Render == spec.RenderBytes || ef.Render == spec.RenderBuf || ef.Size > 8:
			e = &sval{kind: skBytes, off: at, size: ef.Size, rend: render{r: ef.Render, size: ef.Size}}
		default:
			r := g.Reg()
			size := 8
			if ef.Size < 8 && validSize(ef.Size) {
				size = ef.Size
			}
			g.Emit(asm.LoadMem(r, g.buf, int16(at), codegen.SizeOp(size)))
			t := u64Type
			if ef.Render == spec.RenderSigned {
				t = s64Type
			}
			e = intOf(t, &codegen.InReg{R: r})
			if !isIntegerRender(ef.Render) {
				e.rend = render{r: ef.Render, size: ef.Size}
			}
		}
		out.elems = append(out.elems, e)
	}
	return out
}

// mapDelete generates delete(@m[k]); at is the delete call.
func (g *sgen) mapDelete(ref *lang.MapRef, at lang.Node) {
	m := g.sc.mapNamed(ref)
	if m.kind == spec.MapHist || m.kind == spec.MapLhist {
		fail(ref, "delete of one key of a histogram is not supported; clear(%s) clears it", m.name)
	}
	key := g.key(m, ref, 0)
	g.MapPtr(asm.R1, m.name)
	g.bufAddr(asm.R2, key)
	g.Call(asm.FnMapDeleteElem)
	g.checkHelper(asm.FnMapDeleteElem, at)
}

// aggregate generates @m[k] = count() and the other aggregations on
// per-CPU values: no other CPU writes them, so plain adds do not race.
func (g *sgen) aggregate(m *smap, ref *lang.MapRef, f *scriptFunc, c *lang.Call) {
	kind := f.agg
	g.nargs(c, f.min, f.max)
	var x codegen.Node
	if f.max > 0 {
		x = g.intNode(g.settle(g.expr(c.Args[0]), c.Args[0]), c.Args[0])
	}
	if kind == spec.MapLhist {
		lo := g.constArg(c.Args[1], "lhist's min")
		hi := g.constArg(c.Args[2], "lhist's max")
		st := g.constArg(c.Args[3], "lhist's step")
		if lo < 0 || hi <= lo || st <= 0 || (hi-lo)/st > 1000 {
			fail(c, "lhist needs 0 <= min < max and step > 0, with at most 1000 buckets")
		}
		if m.kind == spec.MapLhist && !m.provisional && (m.lo != lo || m.hi != hi || m.st != st) {
			fail(c, "map %s is an lhist with other bounds where first used", m.name)
		}
		m.lo, m.hi, m.st = lo, hi, st
	}
	g.setKind(m, kind, c)
	extra := 0
	if kind == spec.MapHist || kind == spec.MapLhist {
		extra = 4
	}
	key := g.key(m, ref, extra)
	var xr asm.Register
	if x != nil {
		xr = g.Val(x)
	}
	if extra > 0 {
		var idx asm.Register
		if kind == spec.MapHist {
			idx = g.log2Bucket(xr)
		} else {
			idx = g.linearBucket(xr, m.lo, m.hi, m.st)
		}
		g.Emit(asm.StoreMem(g.buf, int16(key+m.keySize), idx, asm.Word))
	}
	p := g.lookup(m, key, ref)
	miss, done := g.Label(), g.Label()
	g.Jump(asm.JEq.Imm(p, 0, ""), miss)
	g.addInPlace(kind, p, xr, done)
	g.Jump(asm.Ja.Label(""), done)
	g.Place(miss)
	g.insertFirst(m, kind, key, xr)
	g.Place(done)
}

// addInPlace folds x into this CPU's value of an aggregation at p (see
// aggregate); min and max jump to done when the value stays. No other
// CPU writes this value, so additions are a plain load, add and store:
// an atomic add would be one instruction fewer but a locked one, which
// costs more per event than the two instructions it saves.
func (g *sgen) addInPlace(kind spec.MapKind, p, xr asm.Register, done int) {
	t := g.Reg()
	switch kind {
	case spec.MapCount, spec.MapHist, spec.MapLhist:
		g.Emit(asm.LoadMem(t, p, 0, asm.DWord), asm.Add.Imm(t, 1), asm.StoreMem(p, 0, t, asm.DWord))
	case spec.MapSum:
		g.Emit(asm.LoadMem(t, p, 0, asm.DWord), asm.Add.Reg(t, xr), asm.StoreMem(p, 0, t, asm.DWord))
	case spec.MapAvg, spec.MapStats:
		g.Emit(asm.LoadMem(t, p, 0, asm.DWord), asm.Add.Imm(t, 1), asm.StoreMem(p, 0, t, asm.DWord))
		g.Emit(asm.LoadMem(t, p, 8, asm.DWord), asm.Add.Reg(t, xr), asm.StoreMem(p, 8, t, asm.DWord))
	case spec.MapMin, spec.MapMax:
		// {value, set}: a CPU that never saw a value has set == 0, so a
		// true minimum or maximum of 0 is not mistaken for "unset".
		set := g.Label()
		g.Emit(asm.LoadMem(t, p, 8, asm.DWord))
		g.Jump(asm.JEq.Imm(t, 0, ""), set)
		g.Emit(asm.LoadMem(t, p, 0, asm.DWord))
		keep := asm.JSGE
		if kind == spec.MapMax {
			keep = asm.JSLE
		}
		g.Jump(keep.Reg(xr, t, ""), done)
		g.Place(set)
		g.Emit(asm.StoreMem(p, 0, xr, asm.DWord), asm.Mov.Imm(t, 1), asm.StoreMem(p, 8, t, asm.DWord))
	}
}

// insertFirst inserts key's first value of an aggregation: what
// addInPlace makes of a zero value. It replaces any element another
// CPU inserted meanwhile (BPF_ANY), which for a per-CPU map writes only
// this CPU's value, still zero there; so no event is lost to the race,
// and no second lookup is needed.
func (g *sgen) insertFirst(m *smap, kind spec.MapKind, key int, xr asm.Register) {
	val := g.region(m.valueSize())
	at := int16(val)
	switch kind {
	case spec.MapCount, spec.MapHist, spec.MapLhist:
		g.Emit(storeImm64(g.buf, at, 1))
	case spec.MapSum:
		g.Emit(asm.StoreMem(g.buf, at, xr, asm.DWord))
	case spec.MapAvg, spec.MapStats:
		g.Emit(storeImm64(g.buf, at, 1), asm.StoreMem(g.buf, at+8, xr, asm.DWord))
	case spec.MapMin, spec.MapMax:
		g.Emit(asm.StoreMem(g.buf, at, xr, asm.DWord), storeImm64(g.buf, at+8, 1))
	}
	g.MapPtr(asm.R1, m.name)
	g.bufAddr(asm.R2, key)
	g.bufAddr(asm.R3, val)
	g.Emit(asm.Mov.Imm(asm.R4, 0)) // BPF_ANY
	g.Call(asm.FnMapUpdateElem)
}

// log2Bucket computes bpftrace's hist() bucket of x: 0 for negatives, 1
// for 0, 2+floor(log2 x) otherwise, by binary search on a copy of x:
// each step below 2^32 is a compare with an immediate, a shift and an
// add; the 2^32 step, whose bound no immediate holds, tests the shifted
// value instead, and the last step needs no shift.
func (g *sgen) log2Bucket(x asm.Register) asm.Register {
	idx, t := g.Reg(), g.Reg()
	done := g.Label()
	g.Emit(asm.Mov.Imm(idx, 0))
	g.Jump(asm.JSLT.Imm(x, 0, ""), done)
	g.Emit(asm.Mov.Imm(idx, 1))
	g.Jump(asm.JEq.Imm(x, 0, ""), done)
	g.Emit(asm.Mov.Imm(idx, 2), asm.Mov.Reg(t, x))
	high, low := g.Reg(), g.Label()
	g.Emit(asm.Mov.Reg(high, x), asm.RSh.Imm(high, 32))
	g.Jump(asm.JEq.Imm(high, 0, ""), low)
	g.Emit(asm.Mov.Reg(t, high), asm.Add.Imm(idx, 32))
	g.Place(low)
	for _, shift := range []int32{16, 8, 4, 2} {
		skip := g.Label()
		g.Jump(asm.JLT.Imm(t, 1<<shift, ""), skip)
		g.Emit(asm.RSh.Imm(t, shift), asm.Add.Imm(idx, shift))
		g.Place(skip)
	}
	g.Jump(asm.JLT.Imm(t, 2, ""), done)
	g.Emit(asm.Add.Imm(idx, 1))
	g.Place(done)
	return idx
}

// linearBucket computes lhist()'s bucket: 0 below lo, (hi-lo)/st+1 from
// hi on, (x-lo)/st+1 between.
func (g *sgen) linearBucket(x asm.Register, lo, hi, st int64) asm.Register {
	idx := g.Reg()
	done := g.Label()
	loR, hiR := g.Val(&codegen.Const{V: uint64(lo)}), g.Val(&codegen.Const{V: uint64(hi)})
	g.Emit(asm.Mov.Imm(idx, 0))
	g.Jump(asm.JSLT.Reg(x, loR, ""), done)
	g.Emit(asm.Mov.Imm(idx, int32((hi-lo)/st+1)))
	g.Jump(asm.JSGE.Reg(x, hiR, ""), done)
	g.Emit(asm.Mov.Reg(idx, x), asm.Sub.Reg(idx, loR))
	g.Emit(asm.Div.Imm(idx, int32(st)), asm.Add.Imm(idx, 1))
	g.Place(done)
	return idx
}

// kindWord names a kind of value for messages about maps.
func kindWord(k skind) string {
	return map[skind]string{skInt: "integer", skStr: "string", skBytes: "bytes", skTuple: "tuple", skAgg: "struct or array"}[k]
}
