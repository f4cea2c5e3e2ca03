package compiler

import (
	"math"
	"net"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// cond is a checked filter.
type cond interface{ isCond() }

// condAnd, condOr and condNot combine conditions.
type (
	condAnd struct{ x, y cond }
	condOr  struct{ x, y cond }
	condNot struct{ x cond }
)

// condCmp compares two integers: true when x op y.
type condCmp struct {
	op   asm.JumpOp
	x, y codegen.Node
}

// condStr compares a string field with a literal: equal, or (prefix) the
// field starts with lit.
type condStr struct {
	f      *lineField
	lit    string
	prefix bool
	negate bool
}

// condBytes compares a raw-bytes field (ip6_, mac_) with lit.
type condBytes struct {
	f      *lineField
	lit    []byte
	negate bool
}

func (*condAnd) isCond()   {}
func (*condOr) isCond()    {}
func (*condNot) isCond()   {}
func (*condCmp) isCond()   {}
func (*condStr) isCond()   {}
func (*condBytes) isCond() {}

// unsignedJumps and signedJumps map comparison operators to jumps.
var (
	unsignedJumps = map[string]asm.JumpOp{"==": asm.JEq, "!=": asm.JNE, "<": asm.JLT, "<=": asm.JLE, ">": asm.JGT, ">=": asm.JGE}
	signedJumps   = map[string]asm.JumpOp{"==": asm.JEq, "!=": asm.JNE, "<": asm.JSLT, "<=": asm.JSLE, ">": asm.JSGT, ">=": asm.JSGE}
)

// cond checks a filter expression.
func (c *lineChecker) cond(e lang.Expr, lp *lineProbe) cond {
	switch e := e.(type) {
	case *lang.Binary:
		switch e.Op {
		case "&&":
			return &condAnd{c.cond(e.X, lp), c.cond(e.Y, lp)}
		case "||":
			return &condOr{c.cond(e.X, lp), c.cond(e.Y, lp)}
		case "==", "!=", "<", "<=", ">", ">=", "~":
			return c.compare(e, lp)
		case "&":
			return c.bitTest(e, lp)
		}
	case *lang.Unary:
		if e.Op == "!" {
			return &condNot{c.cond(e.X, lp)}
		}
	case *lang.Call:
		return c.pcapCond(e, lp)
	}
	f := c.operand(e, lp)
	if f.kind != fieldScalar {
		fail(e, "a string is not a condition; compare it")
	}
	return &condCmp{op: asm.JNE, x: f.n, y: &codegen.Const{V: 0}}
}

// isLiteral reports whether e is a literal whose meaning the other side
// decides.
func isLiteral(e lang.Expr) bool {
	switch e := e.(type) {
	case *lang.IntLit, *lang.WordLit, *lang.StrLit:
		return true
	case *lang.Unary:
		_, ok := e.X.(*lang.IntLit)
		return e.Op == "-" && ok
	}
	return false
}

// compare checks "X op Y" where one side may be a literal.
func (c *lineChecker) compare(e *lang.Binary, lp *lineProbe) cond {
	x, y, op := e.X, e.Y, e.Op
	if isLiteral(x) && !isLiteral(y) {
		x, y = y, x
		op = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op] + ""
		if op == "" {
			op = e.Op
		}
	}
	f := c.operand(x, lp)
	if n, ok := c.enumConst(f, y); ok {
		return &condCmp{op: c.jump(op, f.signed, e), x: c.filterValue(f), y: &codegen.Const{V: n}}
	}
	if !isLiteral(y) {
		g := c.operand(y, lp)
		if f.kind != fieldScalar || g.kind != fieldScalar || op == "~" {
			fail(e, "only numbers compare with each other; compare a string with a literal")
		}
		return &condCmp{op: c.jump(op, f.signed || g.signed, e), x: c.filterValue(f), y: c.filterValue(g)}
	}
	switch f.kind {
	case fieldString, fieldComm:
		return c.compareString(f, op, y, e)
	case fieldBytes:
		return c.compareBytes(f, op, y, e)
	}
	if op == "~" {
		fail(e, "~ matches strings; %s is a number", f.out.Name)
	}
	lit := c.literal(f, y)
	return &condCmp{op: c.jump(op, f.signed, e), x: c.filterValue(f), y: &codegen.Const{V: lit}}
}

// enumConst resolves y when it names a value of f's enum type
// (reason==NO_SOCKET) rather than a field or a number.
func (c *lineChecker) enumConst(f *lineField, y lang.Expr) (uint64, bool) {
	if f.v == nil || f.kind != fieldScalar {
		return 0, false
	}
	en, ok := under(f.v.t).(*btf.Enum)
	if !ok {
		return 0, false
	}
	var name string
	switch y := y.(type) {
	case *lang.WordLit:
		name = litText(y)
		if _, err := strconv.ParseInt(name, 0, 64); err == nil {
			return 0, false
		}
	case *lang.Ident:
		name = y.Name
		if _, field := c.byName[name]; field {
			return 0, false
		}
		for _, tf := range c.tp {
			if tf.Name == name {
				return 0, false
			}
		}
	default:
		return 0, false
	}
	names := make([]string, len(en.Values))
	for i, v := range en.Values {
		if v.Name == name {
			return truncConst(v.Value, f.out.Size, f.signed), true
		}
		names[i] = v.Name
	}
	failHint(y, lang.DidYouMean(name, names), "%s is not a value of enum %s", name, en.Name)
	return 0, false
}

// truncConst keeps the low size bytes of n, sign-extended when signed, as
// filterValue compares them.
func truncConst(n uint64, size int, signed bool) uint64 {
	if size >= 8 {
		return n
	}
	shift := 64 - 8*size
	if signed {
		return uint64(int64(n<<shift) >> shift)
	}
	return n << shift >> shift
}

// bitTest checks "X & Y": true when any bit of Y is set in X.
func (c *lineChecker) bitTest(e *lang.Binary, lp *lineProbe) cond {
	f := c.operand(e.X, lp)
	if f.kind != fieldScalar {
		fail(e.X, "& tests bits of a number")
	}
	var y codegen.Node
	if isLiteral(e.Y) {
		y = &codegen.Const{V: c.literal(f, e.Y)}
	} else if g := c.operand(e.Y, lp); g.kind == fieldScalar {
		y = c.filterValue(g)
	} else {
		fail(e.Y, "& tests bits of a number")
	}
	return &condCmp{op: asm.JNE, x: codegen.Bin(asm.And, c.filterValue(f), y), y: &codegen.Const{V: 0}}
}

// filterValue is the number a filter compares for f: byte-order names
// compare their host-order value, so b16_dest==9988 means port 9988.
func (c *lineChecker) filterValue(f *lineField) codegen.Node {
	if f.out.Render == spec.RenderBE || f.out.Render == spec.RenderBEHex {
		return &codegen.Swap{X: f.n, Size: f.out.Size}
	}
	return codegen.Truncate(f.n, f.out.Size, f.signed)
}

func (c *lineChecker) jump(op string, signed bool, at lang.Node) asm.JumpOp {
	if signed {
		return signedJumps[op]
	}
	j, ok := unsignedJumps[op]
	if !ok {
		fail(at, "operator %s does not compare numbers", op)
	}
	return j
}

// operand resolves a filter name: a line field, a tracepoint field,
// common_pid, $comm, or a value expression.
func (c *lineChecker) operand(e lang.Expr, lp *lineProbe) *lineField {
	switch x := e.(type) {
	case *lang.Ident:
		if f, ok := c.byName[x.Name]; ok {
			return f
		}
		for _, tf := range c.tp {
			if tf.Name == x.Name {
				return c.temp(&lang.TraceField{Span: x.Span, Name: x.Name, Value: x}, lp)
			}
		}
		if x.Name == "common_pid" {
			tid := codegen.Truncate(&codegen.Helper{Fn: asm.FnGetCurrentPidTgid}, 4, false)
			return &lineField{out: &spec.Field{Name: x.Name, Size: 4}, n: tid, at: x}
		}
		if x.Name == "comm" || x.Name == "retval" {
			return c.temp(&lang.TraceField{Span: x.Span, Name: x.Name, Value: x}, lp)
		}
		names := []string{"common_pid"}
		for n := range c.byName {
			names = append(names, n)
		}
		for _, tf := range c.tp {
			if _, dup := c.byName[tf.Name]; !dup {
				names = append(names, tf.Name)
			}
		}
		failHint(x, lang.DidYouMean(x.Name, names), "filter names unknown field %s", x.Name)
	case *lang.StrLit, *lang.WordLit:
		fail(e, "compare a field with this literal")
	}
	return c.temp(&lang.TraceField{Span: e.Extent(), Name: "", Value: e}, lp)
}

// temp types a filter operand that is no field of the line.
func (c *lineChecker) temp(tf *lang.TraceField, lp *lineProbe) *lineField {
	f := c.field(tf)
	if f.kind != fieldString && f.kind != fieldBytes {
		return f
	}
	// A field of the line that copies the same bytes serves the filter too.
	for _, g := range append(lp.fields, lp.temps...) {
		if g.kind == f.kind && g.out.Size == f.out.Size && sourceKey(g) == sourceKey(f) {
			return g
		}
	}
	lp.temps = append(lp.temps, f)
	return f
}

// sourceKey identifies the memory a string or bytes field copies.
func sourceKey(f *lineField) string {
	if f.n != nil {
		return "*" + f.n.Key()
	}
	if f.v.addr != nil {
		return f.v.addr.Key()
	}
	return ""
}

// literal converts a number literal for f, checking that it fits.
func (c *lineChecker) literal(f *lineField, e lang.Expr) uint64 {
	var v uint64
	neg := false
	switch x := e.(type) {
	case *lang.IntLit:
		v = x.Value
	case *lang.Unary:
		v, neg = x.X.(*lang.IntLit).Value, true
	case *lang.WordLit, *lang.StrLit:
		text := litText(e)
		if f.out.Render == spec.RenderIPv4 {
			ip := net.ParseIP(text).To4()
			if ip == nil {
				fail(e, "%s is not an IPv4 address", text)
			}
			return uint64(ip[0]) | uint64(ip[1])<<8 | uint64(ip[2])<<16 | uint64(ip[3])<<24
		}
		n, err := strconv.ParseInt(text, 0, 64)
		if err != nil {
			fail(e, "%s is a number; %q is not", f.out.Name, text)
		}
		v, neg = uint64(n), n < 0
		if neg {
			v = uint64(-n)
		}
	}
	size := f.out.Size
	if neg {
		if !f.signed {
			fail(e, "-%d does not fit %s (unsigned %d-byte)", v, f.out.Name, size)
		}
		if size < 8 && v > 1<<(8*size-1) {
			fail(e, "-%d does not fit %s (%d-byte)", v, f.out.Name, size)
		}
		return -v
	}
	limit := uint64(math.MaxUint64)
	if size < 8 {
		limit = 1<<(8*size) - 1
		if f.signed {
			limit = 1<<(8*size-1) - 1
		}
	}
	if v > limit {
		fail(e, "%d does not fit %s (%s)", v, f.out.Name, sizeName(size, f.signed))
	}
	return v
}

func sizeName(size int, signed bool) string {
	if signed {
		return "s" + strconv.Itoa(8*size)
	}
	return "u" + strconv.Itoa(8*size)
}

func litText(e lang.Expr) string {
	switch x := e.(type) {
	case *lang.WordLit:
		return x.Text
	case *lang.StrLit:
		return x.Value
	case *lang.IntLit:
		if x.Text != "" {
			return x.Text
		}
		return strconv.FormatUint(x.Value, 10)
	}
	return ""
}

// compareString checks f == "lit", f != "lit" or f ~ "glob".
func (c *lineChecker) compareString(f *lineField, op string, y lang.Expr, at lang.Node) cond {
	lit := litText(y)
	cs := &condStr{f: f, lit: lit, negate: op == "!="}
	switch op {
	case "==", "!=":
		if strings.HasSuffix(lit, "*") && !strings.ContainsAny(lit[:len(lit)-1], "*?[") {
			cs.lit, cs.prefix = lit[:len(lit)-1], true // ftrace treats == "a*" as a glob
		}
	case "~":
		switch {
		case !strings.ContainsAny(lit, "*?["):
		case strings.HasSuffix(lit, "*") && !strings.ContainsAny(lit[:len(lit)-1], "*?["):
			cs.lit, cs.prefix = lit[:len(lit)-1], true
		default:
			fail(y, "only PREFIX* globs are supported")
		}
	default:
		fail(at, "strings compare with ==, != or ~")
	}
	if len(cs.lit) >= f.out.Size && !cs.prefix || len(cs.lit) > f.out.Size {
		fail(y, "%q is longer than %s can hold (%d bytes)", lit, f.out.Name, f.out.Size)
	}
	return cs
}

// compareBytes checks ip6_x == ADDR or mac_x == ADDR.
func (c *lineChecker) compareBytes(f *lineField, op string, y lang.Expr, at lang.Node) cond {
	if op != "==" && op != "!=" {
		fail(at, "%s compares with == or !=", f.out.Name)
	}
	text := litText(y)
	var lit []byte
	if f.out.Render == spec.RenderIPv6 {
		ip := net.ParseIP(text)
		if ip == nil || ip.To4() != nil && !strings.Contains(text, ":") {
			fail(y, "%s is not an IPv6 address", text)
		}
		lit = ip.To16()
	} else {
		mac, err := net.ParseMAC(text)
		if err != nil || len(mac) != 6 {
			fail(y, "%s is not a MAC address", text)
		}
		lit = mac
	}
	return &condBytes{f: f, lit: lit, negate: op == "!="}
}
