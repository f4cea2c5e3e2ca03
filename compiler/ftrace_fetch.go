package compiler

import (
	"fmt"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// field writes "NAME=FETCH:TYPE" for one field of a p or r line.
func (l *ftraceLowerer) field(def *ftext, tf *lang.TraceField, f *lineField) *spec.FtraceField {
	out := &spec.FtraceField{Name: tf.Name, Render: f.out.Render, Size: f.out.Size}
	var fetch string
	switch {
	case f.kind == fieldComm:
		fetch, out.Type, out.Size = "$comm", "string", 0
	case f.out.Render == spec.RenderStackID:
		fail(tf.Value, "ftrace cannot record $stack as a field; use -s to print the stack under each event")
	case f.kind == fieldString:
		// ftrace's string fetch has no length: it copies up to the NUL or
		// MAX_STRING_SIZE (4095 bytes). Size carries the bpf backend's
		// bound (StrSize, or a shorter char array), which the runner and the
		// -o script cut the printed string to.
		out.Type, out.Size = "string", f.out.Size
		if f.n == nil && f.v.str { // Sdata: the bytes after a packet header
			l.warn(tf.Value, fmt.Sprintf("ftrace cannot stop a string where the packet ends (the bpf backend does): it reads to the first NUL, up to 4095 bytes, so bytes after the packet may show; surftrace cuts the printed string to %d bytes", f.out.Size-1))
		}
		if f.n != nil { // a char *: the string is where it points
			fetch = "+0x0(" + l.fetch(f.n, tf.Value) + ")"
		} else {
			fetch = l.deref(f.v.addr, tf.Value)
		}
	case f.kind == fieldBytes:
		fetch, out.Type = l.deref(f.v.addr, tf.Value), fmt.Sprintf("x8[%d]", f.out.Size)
	case f.v.bitSize > 0:
		fetch, out.Type = l.deref(f.v.addr, tf.Value), bitfieldType(f.v)
	case f.v.n == nil && f.v.addr != nil:
		fetch, out.Type = l.deref(f.v.addr, tf.Value), scalarType(f)
	default:
		fetch, out.Type = l.fetch(f.n, tf.Value), scalarType(f)
	}
	start := def.b.Len()
	def.add(tf.Name+"=", nil)
	switch {
	case f.kind == fieldComm:
		def.add(fetch, tf.Value) // $comm is a string by itself, as surftrace wrote it
	case bareGlobal(f) && out.Type == "x64":
		def.add(fetch, tf.Value) // kprobe_events' default type, left out as surftrace wrote @SYM
	default:
		def.add(fetch+":"+out.Type, tf.Value)
	}
	def.mark(start, tf)
	return out
}

// scalarType is the fetch type of a number: x (hex), s (signed) or u,
// and the width in bits. A signed C type (an int $retval, an atomic_t
// counter) fetches as s unless the line asked for U or a prefix render, so
// that -S text run by hand prints -1 where the function returned -1; the
// runner renders either form the way the bpf backend does.
func scalarType(f *lineField) string {
	letter := "u"
	switch {
	case f.out.Render == spec.RenderHex:
		letter = "x"
	case f.out.Render == spec.RenderSigned, f.out.Render == spec.RenderUnsigned && f.signed:
		letter = "s"
	}
	return fmt.Sprintf("%s%d", letter, 8*f.out.Size)
}

// bitfieldType is ftrace's "b<width>@<offset>/<container bits>" for a
// bitfield whose bytes start at v.addr.
func bitfieldType(v *value) string {
	container := 8
	for container < v.bitOff+v.bitSize {
		container *= 2
	}
	return fmt.Sprintf("b%d@%d/%d", v.bitSize, v.bitOff, container)
}

// fetch returns the fetch argument whose value is n: a register,
// $retval, or a dereference chain. Anything computed from fetched values
// is beyond ftrace.
func (l *ftraceLowerer) fetch(n codegen.Node, at lang.Node) string {
	switch n := stripTruncate(n).(type) {
	case *codegen.CtxLoad:
		name, ok := l.regName(n.Off)
		if !ok {
			fail(at, "ftrace cannot read this value: it lies in a tracepoint record")
		}
		if l.fp.Kind == spec.AttachKretprobe && name == l.ki.regs.ret {
			return "$retval"
		}
		return "%" + name
	case *codegen.Load:
		if n.Size != 8 {
			fail(at, "ftrace dereferences pointers only; this address is computed from a %d-byte value", n.Size)
		}
		return l.deref(n.Addr, at)
	case *codegen.Const, *codegen.Sym:
		fail(at, "ftrace fetches memory, not constants; dereference the address (->member)")
	}
	fail(at, "ftrace cannot compute this value: arithmetic on fetched values needs the bpf backend")
	return ""
}

// deref returns the fetch argument reading memory at addr:
// "+OFF(BASE)", or "@SYM+OFF" for an address inside a global.
func (l *ftraceLowerer) deref(addr codegen.Node, at lang.Node) string {
	base, off := l.splitAdd(addr, at)
	if s, ok := base.(*codegen.Sym); ok {
		return symText(s, off)
	}
	if c, ok := base.(*codegen.Const); ok {
		return "@" + l.symbolAt(c.V+uint64(off), at)
	}
	return offsetText(off) + "(" + l.fetch(base, at) + ")"
}

// offsetText prints a dereference offset: "+0x9", "-0x8", "+0x0".
func offsetText(off int64) string {
	switch {
	case off < 0:
		return fmt.Sprintf("-%#x", -off)
	case off == 0:
		return "+0x0"
	}
	return fmt.Sprintf("+%#x", off)
}

// splitAdd splits addr into a base and a constant offset. A header length
// computed from the packet (IPv4 ihl*4, TCP doff*4) becomes its option-less
// size, with a warning, since ftrace cannot compute it.
func (l *ftraceLowerer) splitAdd(addr codegen.Node, at lang.Node) (codegen.Node, int64) {
	b, ok := addr.(*codegen.Binary)
	if !ok || b.Op != asm.Add {
		return addr, 0
	}
	for _, pair := range [][2]codegen.Node{{b.X, b.Y}, {b.Y, b.X}} {
		if c, ok := codegen.ConstOf(pair[1]); ok {
			base, off := l.splitAdd(pair[0], at)
			return base, off + int64(c)
		}
		if size, msg, ok := headerLen(pair[1]); ok {
			l.warn(at, msg)
			base, off := l.splitAdd(pair[0], at)
			return base, off + size
		}
	}
	fail(at, "ftrace cannot add two fetched values to make an address (e.g. skb->head + network_header); use an lN tag or the bpf backend")
	return nil, 0
}

// headerLen recognizes a header length the bpf backend computes from the
// packet, and returns the length ftrace assumes instead.
func headerLen(n codegen.Node) (int64, string, bool) {
	const ipMsg = "the ftrace form assumes a 20-byte IPv4 header (ihl=5): ftrace cannot compute ihl*4, so IP options or IPv6 shift what follows"
	if _, ok := n.(*codegen.L3Len); ok {
		return 20, ipMsg, true
	}
	b, ok := n.(*codegen.Binary)
	if !ok || b.Op != asm.LSh {
		return 0, "", false
	}
	if c, _ := codegen.ConstOf(b.Y); c != 2 {
		return 0, "", false
	}
	inner, ok := b.X.(*codegen.Binary)
	if !ok {
		return 0, "", false
	}
	if c, _ := codegen.ConstOf(inner.Y); inner.Op == asm.And && c == 0xf {
		return 20, ipMsg, true
	}
	if c, _ := codegen.ConstOf(inner.Y); inner.Op == asm.RSh && c == 4 {
		return 20, "the ftrace form assumes a 20-byte TCP header: ftrace cannot compute doff*4, so TCP options shift what follows", true
	}
	return 0, "", false
}

// stripTruncate drops the masks and shifts that narrow a value to its
// type: the fetch type's width does that in ftrace.
func stripTruncate(n codegen.Node) codegen.Node {
	b, ok := n.(*codegen.Binary)
	if !ok {
		return n
	}
	c, _ := codegen.ConstOf(b.Y)
	switch {
	case b.Op == asm.And && (c == 0xff || c == 0xffff || c == 0xffffffff):
		return stripTruncate(b.X)
	case b.Op == asm.ArSh:
		if in, ok := b.X.(*codegen.Binary); ok && in.Op == asm.LSh {
			if c2, _ := codegen.ConstOf(in.Y); c2 == c {
				return stripTruncate(in.X)
			}
		}
	}
	return n
}

// regName names the pt_regs register at byte off.
func (l *ftraceLowerer) regName(off int) (string, bool) {
	if l.fp.Kind == spec.AttachTracepoint {
		return "", false
	}
	for name, o := range l.ki.regs.offsets {
		if o == off {
			return name, true
		}
	}
	return "", false
}

// symbolAt names kernel address addr as SYM or SYM+0xOFF for "@" fetches,
// from the data symbol at or below it.
func (l *ftraceLowerer) symbolAt(addr uint64, at lang.Node) string {
	best, found := kernel.Symbol{}, false
	for _, s := range l.ki.symbols().All() {
		if !s.Func && s.Addr <= addr && (!found || s.Addr > best.Addr) {
			best, found = s, true
		}
	}
	if !found || addr-best.Addr > 1<<20 {
		return fmt.Sprintf("%#x", addr)
	}
	if addr == best.Addr {
		return best.Name
	}
	return fmt.Sprintf("%s+%d", best.Name, addr-best.Addr)
}
