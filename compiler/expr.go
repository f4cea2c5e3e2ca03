package compiler

import (
	"strings"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// expr types a value expression of an expression line.
func (c *lineChecker) expr(e lang.Expr) *value {
	switch e := e.(type) {
	case *lang.ArgRef:
		return c.arg(e)
	case *lang.RegRef:
		return c.reg(e)
	case *lang.Var:
		return c.variable(e.Name, e)
	case *lang.SymRef:
		return c.symbol(e)
	case *lang.Ident:
		return c.tpField(e)
	case *lang.IntLit:
		return &value{t: u64Type, n: &codegen.Const{V: e.Value}}
	case *lang.Member:
		return member(c.ki, c.expr(e.X), e.Name, e.Arrow, e)
	case *lang.Index:
		return index(c.expr(e.X), c.constant(e.I), e)
	case *lang.Cast:
		return c.cast(e)
	case *lang.SkbCast:
		return c.skbCast(e)
	case *lang.Unary:
		return c.unary(e)
	case *lang.Binary:
		return c.arith(e)
	}
	fail(e, "this expression is not allowed in an expression line")
	return nil
}

// arg types %N from the function's prototype.
func (c *lineChecker) arg(e *lang.ArgRef) *value {
	if c.kind != spec.AttachKprobe && c.kind != spec.AttachUprobe {
		fail(e, "%%%d: arguments exist only in p and P lines", e.N)
	}
	var t btf.Type = u64Type
	if c.proto != nil {
		if e.N >= len(c.proto.Params) {
			fail(e, "function %s has %d arguments (%s); %%%d is out of range",
				c.fn, len(c.proto.Params), argNames(c.proto), e.N)
		}
		t = c.proto.Params[e.N].Type
	}
	if e.N >= len(c.ki.regs.args) {
		fail(e, "%%%d: only %d arguments are passed in registers", e.N, len(c.ki.regs.args))
	}
	v := c.regValue(c.ki.regs.args[e.N], t)
	if c.proto == nil {
		v.noProto = &untypedArg{Fn: c.fn, N: e.N}
	}
	return v
}

// regValue reads register name from pt_regs, typed as t.
func (c *lineChecker) regValue(name string, t btf.Type) *value {
	n := codegen.Node(&codegen.CtxLoad{Off: c.ki.regs.offsets[name], Size: 8})
	if isInteger(t) {
		n = codegen.Truncate(n, sizeof(t), isSigned(t))
	}
	return &value{t: t, n: n}
}

func (c *lineChecker) reg(e *lang.RegRef) *value {
	if c.kind == spec.AttachTracepoint {
		fail(e, "registers are not available in e lines")
	}
	if _, ok := c.ki.regs.offsets[e.Name]; !ok {
		failHint(e, lang.DidYouMean(e.Name, c.ki.regs.names()), "unknown register %%%s for %s", e.Name, c.ki.k.Arch())
	}
	return c.regValue(e.Name, u64Type)
}

// variable types $retval, $comm and $stack.
func (c *lineChecker) variable(name string, e lang.Node) *value {
	switch name {
	case "retval":
		if c.kind != spec.AttachKretprobe && c.kind != spec.AttachUretprobe {
			fail(e, "$retval exists only in r and R lines")
		}
		var t btf.Type = u64Type
		if c.proto != nil && c.proto.Return != nil {
			if _, void := c.proto.Return.(*btf.Void); !void {
				t = c.proto.Return
			}
		}
		return c.regValue(c.ki.regs.ret, t)
	case "comm":
		return &value{t: &btf.Array{Type: cIntegers["char"], Nelems: 16}, comm: true}
	case "stack":
		return &value{t: cIntegers["s64"], n: &codegen.StackID{}}
	}
	failHint(e, lang.DidYouMean(name, []string{"retval", "comm", "stack"}), "unknown variable $%s", name)
	return nil
}

// tpField types a bare name in a value: a tracepoint field, else one of
// the builtins $retval, $comm, $stack (the parser drops the '$').
func (c *lineChecker) tpField(e *lang.Ident) *value {
	for _, f := range c.tp {
		if f.Name == e.Name {
			return c.tpValue(f, e)
		}
	}
	switch e.Name {
	case "retval", "comm", "stack":
		return c.variable(e.Name, e)
	}
	var names []string
	for _, f := range c.tp {
		names = append(names, f.Name)
	}
	if c.kind != spec.AttachTracepoint {
		fail(e, "unknown name %s (fields of tracepoints exist only in e lines)", e.Name)
	}
	failHint(e, lang.DidYouMean(e.Name, names), "tracepoint has no field %s", e.Name)
	return nil
}

// tpValue is the value of tracepoint field f.
func (c *lineChecker) tpValue(f *kernel.TracepointField, at lang.Node) *value {
	char := cIntegers["char"]
	if f.Offset < 8 {
		// BPF may not read the common fields; the one that matters is
		// the current thread.
		if f.Name == "common_pid" {
			return &value{t: cIntegers["s32"], n: codegen.Truncate(&codegen.Helper{Fn: asm.FnGetCurrentPidTgid}, 4, false)}
		}
		fail(at, "%s is not readable from BPF", f.Name)
	}
	switch {
	case f.DataLoc:
		loc := codegen.Bin(asm.And, &codegen.CtxLoad{Off: f.Offset, Size: 4}, &codegen.Const{V: 0xffff})
		return &value{t: &btf.Array{Type: char, Nelems: uint32(c.opts.StrSize)}, addr: &codegen.CtxAddr{Off: loc}}
	case f.Array > 0:
		elem := tpScalarType(c.ki, f.CType, f.Size/f.Array, f.Signed)
		return &value{t: &btf.Array{Type: elem, Nelems: uint32(f.Array)}, addr: &codegen.CtxAddr{Off: &codegen.Const{V: uint64(f.Offset)}}}
	case !validSize(f.Size):
		return &value{t: &btf.Array{Type: cIntegers["u8"], Nelems: uint32(f.Size)}, addr: &codegen.CtxAddr{Off: &codegen.Const{V: uint64(f.Offset)}}}
	}
	t := tpScalarType(c.ki, f.CType, f.Size, f.Signed)
	if en, ok := t.(*btf.Enum); ok && len(f.Symbols) > 0 {
		t = renamedEnum(en, f.Symbols)
	}
	if i, ok := t.(*btf.Int); ok && c.namedInts {
		if names := c.ki.symbolNames(f); len(names) > 0 {
			t = symbolicEnum(i, names)
		}
	}
	if p, ok := t.(*btf.Pointer); ok && c.userPtrs {
		// A syscall's pointer argument is a user address: tag its target
		// "user", as BTF tags __user, so reads through it use the user
		// helpers (isUserPtr).
		t = &btf.Pointer{Target: &btf.TypeTag{Value: "user", Type: p.Target}}
	}
	return &value{t: t, n: codegen.Truncate(&codegen.CtxLoad{Off: f.Offset, Size: f.Size}, f.Size, f.Signed)}
}

// tpScalarType types a format file's C type, through BTF where it can.
func tpScalarType(ki *kinfo, ctype string, size int, signed bool) btf.Type {
	base, ptr := ctype, 0
	for len(base) > 0 && base[len(base)-1] == '*' {
		base, ptr = strings.TrimSpace(base[:len(base)-1]), ptr+1
	}
	base = strings.TrimPrefix(strings.TrimPrefix(base, "const "), "volatile ")
	if ptr > 0 {
		tag, name := splitTag(base)
		if t, err := ki.resolveType(tag, name, ptr); err == nil {
			return t
		}
		return &btf.Pointer{Target: &btf.Void{}}
	}
	if i, ok := cIntegers[base]; ok && int(i.Size) == size {
		return i
	}
	if tag, name := splitTag(base); tag == "enum" {
		// Typed by BTF, the field prints by name as ftrace's
		// __print_symbolic does.
		if t, err := ki.enumType(name); err == nil && sizeof(t) == size {
			return t
		}
	}
	enc := btf.Unsigned
	if signed {
		enc = btf.Signed
	}
	return &btf.Int{Name: base, Size: uint32(size), Encoding: enc}
}

// renamedEnum is enum en with the names a tracepoint's print fmt gives its
// values (NO_SOCKET for SKB_DROP_REASON_NO_SOCKET), so that a field prints
// as ftrace prints it and filters take the same names.
func renamedEnum(en *btf.Enum, names map[uint64]string) *btf.Enum {
	out := &btf.Enum{Name: en.Name, Size: en.Size, Signed: en.Signed}
	for _, v := range en.Values {
		if name, ok := names[v.Value]; ok {
			v.Name = name
		}
		out.Values = append(out.Values, v)
	}
	return out
}

// constant folds an index expression to a number.
func (c *lineChecker) constant(e lang.Expr) int64 {
	v := c.expr(e)
	k, ok := codegen.ConstOf(v.n)
	if !ok {
		fail(e, "index must be a constant")
	}
	return int64(k)
}

// cast types !(TYPE)X.
func (c *lineChecker) cast(e *lang.Cast) *value {
	t, err := c.ki.resolveType(e.Type.Tag, e.Type.Name, e.Type.Ptr)
	if err != nil {
		fail(e.Type, "%v", err)
	}
	x := c.expr(e.X)
	if !isScalar(t) {
		fail(e.Type, "cannot cast to %s; cast to a pointer: (%s *)", kernel.CType(t), kernel.CType(t))
	}
	var n codegen.Node
	if _, arr := under(x.t).(*btf.Array); arr && x.addr != nil {
		n = x.addr // an array decays to its address
	} else {
		n = rvalue(x, e.X)
	}
	if isInteger(t) {
		n = codegen.Truncate(n, sizeof(t), isSigned(t))
	}
	if p, ok := t.(*btf.Pointer); ok && c.userPtrs {
		t = &btf.Pointer{Target: &btf.TypeTag{Value: "user", Type: p.Target}}
	}
	return &value{t: t, n: n}
}

// unary types -X and ~X on integers.
func (c *lineChecker) unary(e *lang.Unary) *value {
	x := c.expr(e.X)
	n := rvalue(x, e.X)
	switch e.Op {
	case "-":
		return &value{t: x.t, n: codegen.Bin(asm.Sub, &codegen.Const{V: 0}, n)}
	case "~":
		return &value{t: x.t, n: codegen.Bin(asm.Xor, n, &codegen.Const{V: ^uint64(0)})}
	}
	fail(e, "operator %s is not allowed here", e.Op)
	return nil
}

// arithOps maps binary operators to ALU operations.
var arithOps = map[string]asm.ALUOp{
	"+": asm.Add, "-": asm.Sub, "*": asm.Mul, "/": asm.Div, "%": asm.Mod,
	"&": asm.And, "|": asm.Or, "^": asm.Xor, "<<": asm.LSh, ">>": asm.RSh,
}

// arith types integer arithmetic, folding constants.
func (c *lineChecker) arith(e *lang.Binary) *value {
	op, ok := arithOps[e.Op]
	if !ok {
		fail(e, "operator %s is not allowed in a value", e.Op)
	}
	x, y := c.expr(e.X), c.expr(e.Y)
	t := x.t
	if _, isConst := x.n.(*codegen.Const); isConst {
		t = y.t
	}
	if op == asm.RSh && isSigned(t) {
		op = asm.ArSh
	}
	return &value{t: t, n: codegen.Bin(op, rvalue(x, e.X), rvalue(y, e.Y))}
}
