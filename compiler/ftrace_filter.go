package compiler

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/lang"
)

// Precedences of filter operators, for parentheses.
const (
	precOr = iota + 1
	precAnd
)

// jumpText spells the comparisons of checked filters in ftrace syntax.
var jumpText = map[asm.JumpOp]string{
	asm.JEq: "==", asm.JNE: "!=", asm.JLT: "<", asm.JLE: "<=", asm.JGT: ">", asm.JGE: ">=",
	asm.JSLT: "<", asm.JSLE: "<=", asm.JSGT: ">", asm.JSGE: ">=",
}

// cond writes checked filter c, whose source is e, in ftrace syntax:
// "proto==17&&ip_dst==0xdd01000a". It walks the checker's result and the
// source together, taking values from the one and spans from the other.
func (l *ftraceLowerer) cond(t *ftext, c cond, e lang.Expr, outer int) {
	start := t.b.Len()
	switch c := c.(type) {
	case *condAnd:
		l.logical(t, c.x, c.y, e, "&&", precAnd, outer)
	case *condOr:
		l.logical(t, c.x, c.y, e, "||", precOr, outer)
	case *condNot:
		t.add("!(", nil)
		l.cond(t, c.x, e.(*lang.Unary).X, 0)
		t.add(")", nil)
	case *condCmp:
		l.compare(t, c, e)
	case *condStr:
		l.compareString(t, c, e)
	case *condBytes:
		fail(e, "ftrace filters cannot compare %s (a %d-byte array); use the bpf backend", c.f.out.Name, c.f.out.Size)
	case *condPcap:
		fail(e, "ftrace filters cannot read packets: pcap() needs the bpf backend")
	}
	t.mark(start, e)
}

// logical writes x op y, in parentheses when an outer operator binds
// tighter.
func (l *ftraceLowerer) logical(t *ftext, x, y cond, e lang.Expr, op string, prec, outer int) {
	b := e.(*lang.Binary)
	if outer > prec {
		t.add("(", nil)
	}
	l.cond(t, x, b.X, prec)
	t.add(op, nil)
	l.cond(t, y, b.Y, prec)
	if outer > prec {
		t.add(")", nil)
	}
}

// sides returns the operand and literal of a comparison, literal last as
// the checker put them; lit is nil for a bare operand.
func sides(e lang.Expr) (operand, lit lang.Expr) {
	b, ok := e.(*lang.Binary)
	if !ok {
		return e, nil
	}
	if isLiteral(b.X) && !isLiteral(b.Y) {
		return b.Y, b.X
	}
	return b.X, b.Y
}

// compare writes a numeric comparison "NAME op LITERAL".
func (l *ftraceLowerer) compare(t *ftext, c *condCmp, e lang.Expr) {
	operand, lit := sides(e)
	name, f := l.operandName(c.x, operand)
	v, ok := codegen.ConstOf(c.y)
	if !ok {
		fail(e, "ftrace filters compare a field with a literal, not two fields")
	}
	t.add(name, operand)
	t.add(jumpText[c.op], nil)
	if lit == nil { // a bare operand: NAME!=0
		t.add("0", nil)
		return
	}
	t.add(literalText(f, v, c.op), lit)
}

// operandName finds the field a checked filter operand x reads: a field
// of the line, a tracepoint field or common_pid. f is nil for the latter
// two.
func (l *ftraceLowerer) operandName(x codegen.Node, at lang.Expr) (string, *lineField) {
	key := x.Key()
	for i, f := range l.lp.fields {
		if f.kind == fieldScalar && (key == f.n.Key() || key == filterValueKey(f)) {
			if l.fp.Kind == spec.AttachTracepoint {
				return l.tpAlias(i, at), f
			}
			return f.out.Name, f
		}
	}
	switch n := stripTruncate(x).(type) {
	case *codegen.Helper:
		if n.Fn == asm.FnGetCurrentPidTgid {
			return "common_pid", nil
		}
	case *codegen.CtxLoad:
		for _, tf := range l.tp {
			if l.fp.Kind == spec.AttachTracepoint && tf.Offset == n.Off {
				return tf.Name, nil
			}
		}
	}
	fail(at, "ftrace filters compare fields; name this value in a field (NAME=VALUE) and compare NAME")
	return "", nil
}

// filterValueKey is the key of the value the checker compares for f.
func filterValueKey(f *lineField) string {
	if f.out.Render == spec.RenderBE || f.out.Render == spec.RenderBEHex {
		return (&codegen.Swap{X: f.n, Size: f.out.Size}).Key()
	}
	return codegen.Truncate(f.n, f.out.Size, f.signed).Key()
}

// tpAlias is the tracepoint field that field i of an e line names.
func (l *ftraceLowerer) tpAlias(i int, at lang.Node) string {
	trace := l.src.Body[0].(*lang.TraceStmt)
	id, ok := lineFields(trace, l.src.Attach[0], l.tp)[i].Value.(*lang.Ident)
	if !ok {
		fail(at, "ftrace cannot filter on a computed field of an e line")
	}
	return id.Name
}

// literalText prints literal v (as the checker converted it: host order)
// the way ftrace compares it with the raw field: IPv4 in hex as it lies in
// memory, byte-order names swapped back, signed values with their sign.
func literalText(f *lineField, v uint64, op asm.JumpOp) string {
	if f == nil {
		return fmt.Sprint(v)
	}
	size := f.out.Size
	switch f.out.Render {
	case spec.RenderIPv4:
		return fmt.Sprintf("%#x", v&0xffffffff)
	case spec.RenderBE, spec.RenderBEHex:
		return fmt.Sprint(swapBytes(v, size))
	case spec.RenderHex:
		return fmt.Sprintf("%#x", v)
	}
	if f.signed || op == asm.JSLT || op == asm.JSLE || op == asm.JSGT || op == asm.JSGE {
		shift := uint(64 - 8*size)
		return fmt.Sprint(int64(v<<shift) >> shift)
	}
	return fmt.Sprint(v)
}

// swapBytes reverses the low size bytes of v.
func swapBytes(v uint64, size int) uint64 {
	return bits.ReverseBytes64(v) >> uint(64-8*size)
}

// compareString writes NAME=="lit", NAME!="lit" or NAME~"lit*".
func (l *ftraceLowerer) compareString(t *ftext, c *condStr, e lang.Expr) {
	operand, lit := sides(e)
	name := l.stringName(c.f, operand)
	op, text := "==", c.lit
	if c.negate {
		op = "!="
	}
	if c.prefix {
		op, text = "~", text+"*"
	}
	if strings.ContainsAny(text, "\"\\\n") || strings.IndexFunc(text, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		fail(lit, "ftrace filter strings cannot hold quotes, backslashes or control characters")
	}
	if c.prefix && c.negate {
		t.add("!(", nil)
		defer t.add(")", nil)
	}
	t.add(name, operand)
	t.add(op, nil)
	t.add(`"`+text+`"`, lit)
}

// stringName names the string a filter compares: a line field, a
// tracepoint field, or COMM (ftrace's name for the current task's comm).
func (l *ftraceLowerer) stringName(f *lineField, at lang.Expr) string {
	for i, g := range l.lp.fields {
		if g == f {
			if l.fp.Kind == spec.AttachTracepoint {
				return l.tpAlias(i, at)
			}
			return f.out.Name
		}
	}
	if f.kind == fieldComm {
		return "COMM"
	}
	if id, ok := at.(*lang.Ident); ok && l.fp.Kind == spec.AttachTracepoint {
		return id.Name
	}
	fail(at, "ftrace filters compare fields; name this string in a field (NAME=VALUE) and compare NAME")
	return ""
}
