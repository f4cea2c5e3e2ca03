package compiler

import (
	"strings"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// printf checks the format against the arguments' types and emits the
// record.
func (g *sgen) printf(e *lang.Call) { g.formatted(e, spec.EventPrintf) }

// formatted checks a printf-style call (printf, cat) and emits its record
// of kind.
func (g *sgen) formatted(e *lang.Call, kind spec.EventKind) {
	format := g.literal(e.Args[0], e.Name+"'s format")
	var args []*sval
	for _, a := range e.Args[1:] {
		args = append(args, g.settle(g.expr(a), a))
	}
	verbs := formatVerbs(format)
	if len(verbs) != len(args) {
		fail(e, "printf: the format has %d conversions but %d arguments follow", len(verbs), len(args))
	}
	for i, verb := range verbs {
		a, at := args[i], e.Args[i+1]
		switch {
		case verb == 0:
			fail(e.Args[0], "printf: bad conversion in the format")
		case a.kind == skTuple && spec.IsUserRender(a.rend.r) && verb == 's':
		case a.kind == skTuple || a.kind == skVoid:
			fail(at, "printf cannot print %s", a.describe())
		case verb == 'r':
			if a.rend.r != spec.RenderBuf && a.rend.r != spec.RenderBytes {
				fail(at, "printf: %%r needs a buffer (buf()), got %s", a.describe())
			}
		case verb == 's':
			if a.kind == skInt && (a.rend.size == 0 || isIntegerRender(a.rend.r)) && !isEnum(a) {
				fail(at, "printf: %%s needs a string, got %s (use str() or a %%d conversion)", a.describe())
			}
		default:
			if a.kind != skInt {
				fail(at, "printf: %%%c needs a number, got %s", verb, a.describe())
			}
		}
	}
	g.event(kind, format, "", args, e)
}

func isIntegerRender(r spec.Render) bool {
	return r == spec.RenderSigned || r == spec.RenderUnsigned || r == spec.RenderHex
}

// formatVerbs lists the conversion letters of a printf format, with 0 for
// a malformed one; %% is not a conversion.
func formatVerbs(format string) []byte {
	var out []byte
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0.123456789", format[j]) >= 0 {
			j++
		}
		for j < len(format) && strings.IndexByte("hljzt", format[j]) >= 0 {
			j++
		}
		if j < len(format) && format[j] == '%' && j == i+1 {
			i = j
			continue
		}
		if j < len(format) && strings.IndexByte("diuxXocspr", format[j]) >= 0 {
			out = append(out, format[j])
		} else {
			out = append(out, 0)
		}
		i = j
	}
	return out
}

// fieldOf lays out how value v is kept in a record or a map.
func (g *sgen) fieldOf(v *sval, name string) *spec.Field {
	f := &spec.Field{Name: name}
	switch v.kind {
	case skInt:
		f.Size, f.Render = 8, spec.RenderUnsigned
		if isSigned(v.v.t) {
			f.Render = spec.RenderSigned
		}
		if isPointer(v.v.t) {
			f.Render = spec.RenderHex
		}
		if v.rend.size > 0 {
			f.Size, f.Render, f.Format = v.rend.size, v.rend.r, v.rend.format
		} else if isEnum(v) {
			f.Render, f.Enum = spec.RenderEnum, enumNames(v.v.t)
		}
	case skStr:
		f.Size, f.Render = v.size, spec.RenderString
		if v.isLit {
			f.Size = (len(v.lit) + 1 + 7) &^ 7
		}
	case skBytes:
		f.Size, f.Render = v.size, v.rend.r
		if v.rend.size > 0 && v.rend.size < v.size {
			f.Size = v.rend.size
		}
	case skAgg:
		f = aggField(v.v.t)
		f.Name = name
		if g.sc.aggTypes == nil {
			g.sc.aggTypes = map[*spec.Field]btf.Type{}
		}
		g.sc.aggTypes[f] = v.v.t
	case skTuple:
		f.Render = spec.RenderTuple
		if spec.IsUserRender(v.rend.r) {
			f.Render = v.rend.r
		}
		for _, e := range v.elems {
			ef := g.fieldOf(e, "")
			ef.Offset = f.Size
			f.Size += (ef.Size + 7) &^ 7
			f.Elems = append(f.Elems, ef)
		}
	}
	return f
}

// storeField writes v into the field of a record or key at scratch
// offset base. In a record (slots) every field has an 8-byte slot, which
// a narrower integer fills whole so that no byte of the record is left
// unwritten; in a key fields may be packed, and a narrower integer is
// stored in its own size.
func (g *sgen) storeField(base int, f *spec.Field, v *sval, at lang.Node, slots bool) {
	off := base + f.Offset
	switch v.kind {
	case skInt:
		r := g.Val(g.intNode(v, at))
		size := 8
		if f.Size < 8 && validSize(f.Size) && !slots {
			size = f.Size
			g.gaps = true
		}
		g.Emit(asm.StoreMem(g.buf, int16(off), r, codegen.SizeOp(size)))
	case skStr, skBytes:
		g.putBytes(off, (f.Size+7)&^7, v)
	case skAgg:
		v = g.aggWhole(v)
		g.copyScratch(off, v.off, v.size)
	case skTuple:
		for i, e := range v.elems {
			g.storeField(off, f.Elems[i], e, at, slots)
		}
	}
}

// event emits a record of kind with the given values as fields, and
// returns its description.
func (g *sgen) event(kind spec.EventKind, format, mapName string, args []*sval, at lang.Node) *spec.Event {
	out := g.sc.out
	ev := &spec.Event{ID: uint32(len(out.Events)), Kind: kind, Probe: g.probe.Index, Pos: at.Extent().Pos,
		Format: format, Map: mapName, Stack: -1}
	payload := 0
	for i, a := range args {
		name := ""
		if c, ok := at.(*lang.Call); ok && i+1 < len(c.Args) {
			name = source(c.Args[i+1])
		}
		f := g.fieldOf(a, name)
		// Integers align to their size; strings and buffers to 8, since
		// they are written a word at a time and the record may be on the
		// stack, where the verifier refuses misaligned stores.
		align := 8
		if a.kind == skInt && f.Size > 0 && f.Size < 8 && f.Size&(f.Size-1) == 0 {
			align = f.Size
		}
		payload = (payload + align - 1) / align * align
		f.Offset = payload
		payload += (f.Size + 7) &^ 7
		ev.Fields = append(ev.Fields, f)
	}
	size := spec.HdrSize + (payload+7)&^7
	rec := g.region(size)
	for i, a := range args {
		g.storeField(rec+spec.HdrSize, ev.Fields[i], a, at, true)
	}
	// The header's CPU, pid, comm and ip mean nothing in a script's
	// record; they are zeroed so that the ring buffer helper reads no
	// uninitialised bytes and the record may be built on the stack.
	g.Emit(asm.StoreImm(g.buf, int16(rec+spec.HdrCPU), 0, asm.Word))
	for off := spec.HdrPidTgid; off < spec.HdrSize; off += 8 {
		g.Emit(storeImm64(g.buf, int16(rec+off), 0))
	}
	g.Emit(asm.StoreImm(g.buf, int16(rec+spec.HdrID), int64(ev.ID), asm.Word))
	now := g.Val(&codegen.Helper{Fn: asm.FnKtimeGetNs})
	g.Emit(asm.StoreMem(g.buf, int16(rec+spec.HdrTime), now, asm.DWord))
	out.Events = append(out.Events, ev)
	g.output(rec, size, kind == spec.EventExit || kind == spec.EventWatch)
	return ev
}

// output sends a record to the ring buffer, counting a failure in
// lost[probe]; wake wakes the reader at once.
func (g *sgen) output(rec, size int, wake bool) {
	g.RingbufOutput(func() { g.bufAddr(asm.R2, rec) }, int32(size), g.sc.opts.RingSize, wake)
	done := g.Label()
	g.Jump(asm.JEq.Imm(asm.R0, 0, ""), done)
	g.Emit(asm.StoreImm(asm.R10, codegen.StackKey, int64(g.probe.Index), asm.Word))
	g.MapPtr(asm.R1, spec.LostMap)
	g.StackAddr(asm.R2, codegen.StackKey)
	g.Call(asm.FnMapLookupElem)
	g.Jump(asm.JEq.Imm(asm.R0, 0, ""), done)
	g.Emit(asm.Mov.Imm(asm.R1, 1), asm.StoreXAdd(asm.R0, asm.R1, asm.DWord))
	g.Place(done)
}
