package compiler

import (
	"math"
	"strconv"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// skind is what a script value is.
type skind int

const (
	skInt   skind = iota + 1 // an integer or pointer: v (n, or a scalar at addr)
	skMem                    // a struct, union or array in kernel memory at v.addr
	skStr                    // a NUL-terminated string: lit, or size bytes at scratch off
	skBytes                  // size raw bytes (lit, or at scratch off), shown per rend
	skTuple                  // elems
	skAgg                    // a struct, union or array copied into scratch at off (script_agg.go)
	skVoid                   // what printf() and the like return
)

// render is how a value prints when the script's source asks for more
// than its type says: a name prefix, ntop(), ksym(), kstack.
type render struct {
	r      spec.Render
	size   int    // bytes the render reads; 0 means "as the type says"
	format string // RenderStrftime: the strftime format
}

// sval is a typed script value.
type sval struct {
	kind  skind
	v     *value
	rend  render
	isLit bool
	lit   []byte // skStr, skBytes literal: the bytes (a string without NUL)
	off   int    // skStr, skBytes in scratch space
	size  int
	// fill, when set, writes the value's size bytes at a scratch
	// offset: the value is not in scratch space yet, and is made
	// directly where it goes (a map key, a variable, a record) or, when
	// it is read in place, at an offset of its own (place).
	fill  func(off int)
	elems []*sval
	// param is the text of the positional parameter the value came
	// from, for str($1).
	param *string
	// strType is the size bpftrace's type gives a string kept in a
	// variable: a literal's length and NUL ($s = "abc" is string[4]),
	// though the variable has room for longer strings; 0 when it is
	// size.
	strType int
}

var (
	s64Type = cIntegers["s64"]
	u32Type = cIntegers["u32"]
)

func intConst(v int64) *sval {
	return &sval{kind: skInt, v: &value{t: s64Type, n: &codegen.Const{V: uint64(v)}}}
}

func intOf(t btf.Type, n codegen.Node) *sval { return &sval{kind: skInt, v: &value{t: t, n: n}} }

func strLit(s string) *sval { return &sval{kind: skStr, isLit: true, lit: []byte(s), size: len(s) + 1} }

// wrap classifies a typed value.
func wrap(v *value) *sval {
	if v.n == nil && !isScalar(v.t) {
		return &sval{kind: skMem, v: v}
	}
	return &sval{kind: skInt, v: v}
}

// describe names v's type for messages.
func (v *sval) describe() string {
	switch v.kind {
	case skInt, skMem, skAgg:
		return kernel.CType(v.v.t)
	case skStr:
		return "string"
	case skBytes:
		return "bytes"
	case skTuple:
		return "tuple"
	}
	return "nothing"
}

// isStringy reports whether v can be used as a string.
func (v *sval) isStringy() bool {
	switch v.kind {
	case skStr:
		return true
	case skMem:
		return isCharArray(v.v.t) || v.v.str
	}
	return false
}

// intNode returns the node computing integer v.
func (g *sgen) intNode(v *sval, at lang.Node) codegen.Node {
	if v.kind != skInt {
		if v.kind == skMem {
			if _, arr := under(v.v.t).(*btf.Array); arr && v.v.addr != nil {
				return v.v.addr // an array decays to its address
			}
		}
		fail(at, "%s is not a number", v.describe())
	}
	return rvalue(v.v, at)
}

// settle turns char arrays in kernel memory into strings, so that they
// can be kept, compared and printed.
func (g *sgen) settle(v *sval, at lang.Node) *sval {
	if v.kind == skMem && v.isStringy() {
		return g.str(v, 0, at)
	}
	if v.kind == skMem && isAggType(v.v.t) && v.v.addr != nil {
		return g.aggRead(v)
	}
	if v.kind == skAgg {
		return g.aggWhole(v)
	}
	if v.kind == skVoid {
		fail(at, "this expression has no value")
	}
	if v.kind == skInt && v.v.n == nil {
		return &sval{kind: skInt, v: &value{t: v.v.t, n: rvalue(v.v, at)}, rend: v.rend}
	}
	return v
}

// expr types and generates one expression.
func (g *sgen) expr(e lang.Expr) *sval {
	defer func() { g.lastExpr = e }()
	switch e := e.(type) {
	case *lang.IntLit:
		if e.Value > math.MaxInt64 {
			return intOf(u64Type, &codegen.Const{V: e.Value})
		}
		return intOf(s64Type, &codegen.Const{V: e.Value})
	case *lang.StrLit:
		s := strLit(e.Value)
		if e.Param {
			s.param = &e.Value
		}
		return s
	case *lang.Ident:
		if l := g.sc.ki.local; l != nil {
			if v, ok := l.consts[e.Name]; ok {
				return intConst(v)
			}
		}
		return g.ident(e)
	case *lang.Var:
		return g.readVar(e)
	case *lang.MapRef:
		return g.mapRead(e)
	case *lang.Unary:
		return g.unary(e)
	case *lang.IncDec:
		if ref, ok := e.X.(*lang.MapRef); ok {
			return g.mapIncDecValue(ref, e)
		}
		return g.incDec(e)
	case *lang.Binary:
		return g.binary(e)
	case *lang.Ternary:
		return g.ternary(e)
	case *lang.Call:
		return g.call1(e, false)
	case *lang.Member:
		return g.member(e)
	case *lang.Index:
		return g.index(e)
	case *lang.Cast:
		return g.cast(e)
	case *lang.SkbCast:
		return wrap(skbTyper{ki: g.sc.ki, expr: g.kernelValue, constant: g.constArg64}.skbCast(e))
	case *lang.Tuple:
		out := &sval{kind: skTuple}
		for _, x := range e.Elems {
			out.elems = append(out.elems, g.settle(g.expr(x), x))
		}
		return out
	case *lang.SizeofExpr:
		return g.sizeofExpr(e)
	case *lang.HasField:
		if g.hasField(e) {
			return intConst(1)
		}
		return intConst(0)
	}
	fail(e, "this expression is not allowed in a script")
	return nil
}

// kernelValue types e as an integer, pointer or kernel memory value.
func (g *sgen) kernelValue(e lang.Expr) *value {
	v := g.expr(e)
	if v.kind != skInt && v.kind != skMem {
		fail(e, "%s is not a pointer or number", v.describe())
	}
	return v.v
}

// constArg folds e to a constant.
func (g *sgen) constArg(e lang.Expr, what string) int64 {
	v := g.expr(e)
	if v.kind == skInt && v.v.n != nil {
		if k, ok := codegen.ConstOf(v.v.n); ok {
			return int64(k)
		}
	}
	fail(e, "%s must be a constant", what)
	return 0
}

func (g *sgen) constArg64(e lang.Expr) int64 { return g.constArg(e, "index") }

// unary generates -x, ~x, !x, *x and &x.
func (g *sgen) unary(e *lang.Unary) *sval {
	switch e.Op {
	case "!":
		return g.boolValue(e)
	case "*":
		x := g.expr(e.X)
		if x.kind != skInt {
			fail(e, "cannot dereference %s", x.describe())
		}
		p, ok := under(x.v.t).(*btf.Pointer)
		if !ok {
			fail(e, "cannot dereference %s", x.describe())
		}
		t := p.Target
		if _, void := under(t).(*btf.Void); void {
			t = u64Type
		}
		return wrap(g.inKernel(&value{t: t, addr: g.intNode(x, e.X), user: g.userPtr(x.v.t)}))
	case "&":
		x := g.expr(e.X)
		if (x.kind != skInt && x.kind != skMem) || x.v.addr == nil || x.v.n != nil {
			fail(e, "cannot take the address of %s", x.describe())
		}
		return intOf(&btf.Pointer{Target: x.v.t}, x.v.addr)
	}
	x := g.expr(e.X)
	n := g.intNode(x, e.X)
	t := x.v.t
	if isPointer(t) {
		t = u64Type
	}
	switch e.Op {
	case "-":
		if !isSigned(t) {
			t = s64Type
		}
		return intOf(t, codegen.Bin(asm.Sub, &codegen.Const{V: 0}, n))
	case "~":
		return intOf(t, codegen.Bin(asm.Xor, n, &codegen.Const{V: ^uint64(0)}))
	}
	fail(e, "operator %s is not allowed here", e.Op)
	return nil
}

// isCompare reports whether op is a comparison or logical operator.
func isCompare(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
		return true
	}
	return false
}

func (g *sgen) binary(e *lang.Binary) *sval {
	if isCompare(e.Op) {
		return g.boolValue(e)
	}
	return g.arith(e.Op, g.expr(e.X), g.expr(e.Y), e)
}

// paramOffset is a string positional parameter plus a constant: the
// string from that offset on, as bpftrace reads str($1 + 1) of "hello" as
// "ello" (a pointer into the parameter's text).
func paramOffset(op string, x, y *sval) (*sval, bool) {
	if op != "+" || x.kind != skStr || x.param == nil || y.kind != skInt || y.v.n == nil {
		return nil, false
	}
	n, ok := codegen.ConstOf(y.v.n)
	if !ok || n > uint64(len(*x.param)) {
		return nil, false
	}
	text := (*x.param)[n:]
	s := strLit(text)
	s.param = &text
	return s, true
}

// arith computes x op y on integers and pointers.
func (g *sgen) arith(op string, x, y *sval, at lang.Node) *sval {
	aop, ok := arithOps[op]
	if !ok {
		fail(at, "operator %s is not allowed here", op)
	}
	if s, ok := paramOffset(op, x, y); ok {
		return s
	}
	xn, yn := g.intNode(x, at), g.intNode(y, at)
	xt, yt := x.v.t, y.v.t
	if x.kind == skMem {
		xt = &btf.Pointer{Target: under(x.v.t).(*btf.Array).Type}
	}
	// Pointer arithmetic scales by the pointed-to size, as in C.
	if px, ok := under(xt).(*btf.Pointer); ok && (op == "+" || op == "-") {
		if _, py := under(yt).(*btf.Pointer); py && op == "-" {
			return intOf(s64Type, scale(codegen.Bin(asm.Sub, xn, yn), px.Target, true))
		}
		if !isPointer(yt) {
			return intOf(xt, codegen.Bin(aop, xn, scale(yn, px.Target, false)))
		}
	}
	if py, ok := under(yt).(*btf.Pointer); ok && op == "+" && !isPointer(xt) {
		return intOf(yt, codegen.Bin(aop, yn, scale(xn, py.Target, false)))
	}
	signed := signedOp(xn, yn, xt, yt)
	if aop == asm.RSh && signed && isSigned(xt) {
		aop = asm.ArSh
	}
	t := u64Type
	if signed {
		t = s64Type
	}
	return intOf(t, codegen.Bin(aop, xn, yn))
}

// scale multiplies (or, when divide, divides) n by the size of elem.
func scale(n codegen.Node, elem btf.Type, divide bool) codegen.Node {
	size := 1
	if _, void := under(elem).(*btf.Void); !void {
		size = sizeof(elem)
	}
	if size <= 1 {
		return n
	}
	if divide {
		return codegen.Bin(asm.Div, n, &codegen.Const{V: uint64(size)})
	}
	return codegen.Bin(asm.Mul, n, &codegen.Const{V: uint64(size)})
}

// boolValue computes a condition as 0 or 1.
func (g *sgen) boolValue(e lang.Expr) *sval {
	r := g.Reg()
	done := g.Label()
	g.Emit(asm.Mov.Imm(r, 0))
	g.branch(e, false, done)
	g.Emit(asm.Mov.Imm(r, 1))
	g.Place(done)
	return intOf(s64Type, &codegen.InReg{R: r})
}

// ternary computes c ? a : b for integers and strings.
func (g *sgen) ternary(e *lang.Ternary) *sval {
	elseL, done := g.Label(), g.Label()
	g.branch(e.Cond, false, elseL)
	end := g.Scope()
	a := g.settle(g.expr(e.Then), e.Then)
	var out *sval
	switch a.kind {
	case skInt:
		r := g.Reg()
		g.Emit(asm.Mov.Reg(r, g.Val(g.intNode(a, e.Then))))
		out = &sval{kind: skInt, v: &value{t: a.v.t, n: &codegen.InReg{R: r}}, rend: a.rend}
	case skStr, skBytes:
		size := a.size
		if a.isLit {
			size = g.sc.strSize()
		}
		out = &sval{kind: a.kind, off: g.region(size), size: size, rend: a.rend}
		g.putBytes(out.off, out.size, a)
	default:
		fail(e.Then, "a conditional expression yields numbers or strings, not %s", a.describe())
	}
	end()
	g.Jump(asm.Ja.Label(""), done)
	g.Place(elseL)
	end = g.Scope()
	b := g.settle(g.expr(e.Else), e.Else)
	if b.kind != a.kind {
		fail(e, "the two sides of ?: differ: %s and %s", a.describe(), b.describe())
	}
	if a.kind == skInt {
		g.Emit(asm.Mov.Reg(out.v.n.(*codegen.InReg).R, g.Val(g.intNode(b, e.Else))))
	} else {
		g.putBytes(out.off, out.size, b)
	}
	end()
	g.Place(done)
	return out
}

// member types X->name and X.name: tracepoint and function arguments,
// tuple elements, struct members.
func (g *sgen) member(e *lang.Member) *sval {
	if id, ok := e.X.(*lang.Ident); ok && id.Name == "args" {
		return g.arg(e.Name, e)
	}
	x := g.expr(e.X)
	if x.kind == skTuple {
		i, err := strconv.Atoi(e.Name)
		if err != nil || i < 0 || i >= len(x.elems) {
			fail(e, "tuple of %d has no element %s", len(x.elems), e.Name)
		}
		return x.elems[i]
	}
	if x.kind == skAgg {
		return g.aggMember(x, e.Name, e.Arrow, e)
	}
	if x.kind != skInt && x.kind != skMem {
		fail(e, "%s has no members", x.describe())
	}
	v := member(g.sc.ki, x.v, e.Name, e.Arrow, e)
	if e.Arrow && v.addr != nil {
		v.user = g.userPtr(x.v.t)
	}
	return wrap(g.inKernel(v))
}

// index types X[I] on arrays and pointers; I may be computed.
func (g *sgen) index(e *lang.Index) *sval {
	x := g.expr(e.X)
	if x.kind != skInt && x.kind != skMem && x.kind != skAgg {
		fail(e, "cannot index %s", x.describe())
	}
	i := g.expr(e.I)
	in := g.intNode(i, e.I)
	if x.kind == skAgg {
		return g.aggIndex(x, in, e)
	}
	if k, ok := codegen.ConstOf(in); ok {
		v := index(x.v, int64(k), e)
		if isPointer(x.v.t) {
			v.user = g.userPtr(x.v.t) // a uprobe's pointers are user memory
		}
		return wrap(g.inKernel(v))
	}
	switch t := under(x.v.t).(type) {
	case *btf.Array:
		if x.v.addr == nil {
			fail(e, "array is not in memory")
		}
		return wrap(g.inKernel(&value{t: t.Type, addr: codegen.Bin(asm.Add, x.v.addr, scale(in, t.Type, false)), user: x.v.user}))
	case *btf.Pointer:
		return wrap(g.inKernel(&value{t: t.Target, addr: codegen.Bin(asm.Add, g.intNode(x, e.X), scale(in, t.Target, false)), user: g.userPtr(x.v.t)}))
	}
	fail(e, "cannot index %s", x.describe())
	return nil
}

// bpftraceInts are bpftrace's integer type names.
var bpftraceInts = map[string]string{
	"uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64",
	"int8": "s8", "int16": "s16", "int32": "s32", "int64": "s64",
}

// scriptType resolves a type a script names.
func (g *sgen) scriptType(te *lang.TypeExpr) btf.Type {
	name := te.Name
	if n, ok := bpftraceInts[name]; ok && te.Tag == "" {
		name = n
	}
	if t, ok := g.userType(te.Tag, name, te); ok {
		for range te.Ptr {
			t = &btf.Pointer{Target: t}
		}
		return t
	}
	t, err := g.sc.ki.resolveType(te.Tag, name, te.Ptr)
	fn := g.t.fn
	if fn == "" && g.t.skbSel {
		fn = g.t.target // an argument selector's first function
	}
	if err != nil && fn != "" {
		// A module's own types (struct nft_chain in nf_tables) are in
		// its BTF, for probes on its functions.
		if ms := g.sc.ki.moduleSpec(fn); ms != nil {
			t, err = resolveType(ms, te.Tag, name, te.Ptr)
		}
	}
	if err != nil {
		fail(te, "%v", err)
	}
	return t
}

// cast generates (TYPE)X.
func (g *sgen) cast(e *lang.Cast) *sval {
	t := g.scriptType(e.Type)
	x := g.expr(e.X)
	if !isScalar(t) {
		fail(e.Type, "cannot cast to %s; cast to a pointer: (%s *)", kernel.CType(t), kernel.CType(t))
	}
	n := g.intNode(x, e.X)
	if isInteger(t) {
		n = codegen.Truncate(n, sizeof(t), isSigned(t))
	}
	if p, ok := t.(*btf.Pointer); ok && x.kind == skInt && !isUserPtr(t) && !isKernelPtr(t) {
		// A pointer cast to another pointer still points where it did:
		// (struct Foo *)args->filename reads user memory, and
		// (struct task_struct *)curtask kernel memory in a uprobe, as
		// bpftrace reads them.
		switch {
		case isUserPtr(x.v.t):
			t = &btf.Pointer{Target: &btf.TypeTag{Value: "user", Type: p.Target}}
		case isKernelPtr(x.v.t):
			t = kernelPtr(t)
		}
	}
	return &sval{kind: skInt, v: &value{t: t, n: n}, rend: x.rend}
}

func (g *sgen) sizeofExpr(e *lang.SizeofExpr) *sval {
	if e.Type != nil {
		return intConst(int64(sizeof(g.scriptType(e.Type))))
	}
	x := g.expr(e.X)
	switch x.kind {
	case skInt, skMem, skAgg:
		return intConst(int64(sizeof(x.v.t)))
	case skStr:
		return intConst(int64(x.typeSize()))
	case skBytes:
		return intConst(int64(x.size))
	case skTuple:
		size, _ := tupleLayout(x)
		return intConst(int64(size))
	}
	fail(e, "sizeof of %s", x.describe())
	return nil
}

// tupleLayout returns the size and alignment bpftrace gives a value in a
// tuple: a C struct of the elements, integers at their own size, strings
// and buffers as char arrays (a literal holds its text and a NUL).
func tupleLayout(v *sval) (size, align int) {
	switch v.kind {
	case skInt:
		n := sizeof(v.v.t)
		return n, max(1, min(8, n))
	case skMem, skAgg:
		return sizeof(v.v.t), alignof(v.v.t)
	case skStr:
		return v.typeSize(), 1
	case skBytes:
		if v.rend.size > 0 {
			return v.rend.size, 1
		}
		return v.size, 1
	case skTuple:
		align = 1
		for _, e := range v.elems {
			n, a := tupleLayout(e)
			size = (size+a-1)/a*a + n
			align = max(align, a)
		}
		return (size + align - 1) / align * align, align
	}
	return 8, 8
}

// typeSize is the size of string v's type, as sizeof tells it.
func (v *sval) typeSize() int {
	switch {
	case v.isLit:
		return len(v.lit) + 1
	case v.strType > 0:
		return v.strType
	}
	return v.size
}

// signedOp decides whether x op y is signed: a constant takes the other
// side's signedness; otherwise either side being signed makes it signed.
func signedOp(xn, yn codegen.Node, xt, yt btf.Type) bool {
	_, xc := codegen.ConstOf(xn)
	_, yc := codegen.ConstOf(yn)
	switch {
	case xc && yc:
		return true
	case xc:
		return isSigned(yt)
	case yc:
		return isSigned(xt)
	}
	return isSigned(xt) || isSigned(yt)
}
