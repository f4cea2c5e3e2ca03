package compiler

import (
	"net/netip"
	"slices"
	"strconv"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// functionNames are the functions call1 knows, for hints.
var functionNames = []string{
	"printf", "print", "time", "exit", "clear", "delete", "zero", "str", "buf", "ksym", "ksymoff", "kaddr", "getopt",
	"ntop", "pton", "bswap", "ntohs", "ntohl", "htons", "htonl", "strncmp", "sizeof", "kstack",
	"signal", "system", "count", "sum", "avg", "min", "max", "stats", "hist", "lhist", "reg",
	"ip", "ip6", "mac", "b16", "b32", "b64", "B16", "B32", "B64",
}

// conversions are the functions that choose how a value prints, as the
// name prefixes do.
var conversions = map[string]render{
	"ip": {RenderIPv4, 4}, "ip6": {RenderIPv6, 16}, "mac": {RenderMAC, 6},
	"b16": {RenderBE, 2}, "b32": {RenderBE, 4}, "b64": {RenderBE, 8},
	"B16": {RenderBEHex, 2}, "B32": {RenderBEHex, 4}, "B64": {RenderBEHex, 8},
}

// aggregations are the functions only a map assignment may call.
var aggregations = map[string]MapKind{
	"count": MapCount, "sum": MapSum, "avg": MapAvg, "min": MapMin, "max": MapMax,
	"stats": MapStats, "hist": MapHist, "lhist": MapLhist,
}

func (g *sgen) nargs(e *lang.Call, lo, hi int) {
	if len(e.Args) < lo || len(e.Args) > hi {
		want := strconv.Itoa(lo)
		if hi > lo {
			want = strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
		}
		if hi == lo+100 {
			want = "at least " + strconv.Itoa(lo)
		}
		fail(e, "%s takes %s arguments, got %d", e.Name, want, len(e.Args))
	}
}

// call1 generates a function call; stmt says it is a statement, whose
// value (if any) is dropped.
func (g *sgen) call1(e *lang.Call, stmt bool) *sval {
	void := &sval{kind: skVoid}
	switch e.Name {
	case "printf":
		g.nargs(e, 1, 100)
		g.printf(e)
		return void
	case "print":
		g.nargs(e, 1, 3)
		g.print(e)
		return void
	case "time":
		g.nargs(e, 0, 1)
		format := ""
		if len(e.Args) == 1 {
			format = g.literal(e.Args[0], "time's format")
		}
		g.event(EventTime, format, "", nil, e)
		return void
	case "exit":
		g.nargs(e, 0, 0)
		g.event(EventExit, "", "", nil, e)
		g.jump(asm.Ja.Label(""), g.exit)
		return void
	case "clear", "zero":
		g.nargs(e, 1, 1)
		m := g.mapArg(e.Args[0], e.Name)
		kind := EventClear
		if e.Name == "zero" {
			kind = EventZero
		}
		g.event(kind, "", m.name, nil, e)
		return void
	case "delete":
		g.nargs(e, 1, 1)
		ref, ok := e.Args[0].(*lang.MapRef)
		if !ok {
			fail(e.Args[0], "delete takes a map element: delete(@m[key])")
		}
		g.mapDelete(ref)
		return void
	case "signal":
		g.nargs(e, 1, 1)
		if !g.sc.opts.Unsafe {
			fail(e, "signal() acts on the traced process; it needs --unsafe")
		}
		sig := g.val(g.intNode(g.expr(e.Args[0]), e.Args[0]))
		g.emit(asm.Mov.Reg(asm.R1, sig))
		g.call(asm.FnSendSignal)
		return void
	case "system":
		if !g.sc.opts.Unsafe {
			fail(e, "system() runs a command; it needs --unsafe")
		}
		fail(e, "system() is not supported yet")
	}
	if _, ok := aggregations[e.Name]; ok {
		fail(e, "%s() is an aggregation: assign it to a map, as in @x = %s(...)", e.Name, e.Name)
	}
	if stmt && slices.Contains(functionNames, e.Name) {
		fail(e, "the value of %s() is not used", e.Name)
	}
	return g.valueCall(e)
}

// valueCall generates the functions that yield a value.
func (g *sgen) valueCall(e *lang.Call) *sval {
	if rd, ok := conversions[e.Name]; ok {
		g.nargs(e, 1, 1)
		return g.convert(g.expr(e.Args[0]), rd, e.Args[0])
	}
	switch e.Name {
	case "str":
		g.nargs(e, 1, 2)
		limit := 0
		if len(e.Args) == 2 {
			limit = int(g.constArg(e.Args[1], "str's length"))
			if limit < 1 || limit > 4095 {
				fail(e.Args[1], "str's length must be between 1 and 4095")
			}
		}
		return g.str(g.expr(e.Args[0]), limit, e.Args[0])
	case "buf":
		g.nargs(e, 1, 2)
		x := g.expr(e.Args[0])
		if x.kind != skInt && x.kind != skMem {
			fail(e.Args[0], "buf reads kernel memory, not %s", x.describe())
		}
		n := 0
		if len(e.Args) == 2 {
			n = int(g.constArg(e.Args[1], "buf's length"))
		} else if x.kind == skMem {
			n = sizeof(x.v.t)
		}
		if n < 1 || n > 1024 {
			fail(e, "buf needs a constant length between 1 and 1024")
		}
		addr := x.v.addr
		if x.kind == skInt {
			addr = g.intNode(x, e.Args[0])
		}
		if addr == nil {
			fail(e.Args[0], "buf reads memory; %s is not in memory", x.describe())
		}
		user := x.v.user
		if x.kind == skInt {
			user = isUserPtr(x.v.t)
		}
		v := g.bytes(addr, n, user, render{r: RenderBytes, size: n})
		v.size = n
		return v
	case "ksym", "ksymoff":
		g.nargs(e, 1, 1)
		x := g.expr(e.Args[0])
		r := map[string]Render{"ksym": RenderSym, "ksymoff": RenderKsym}[e.Name]
		return &sval{kind: skInt, v: &value{t: u64Type, n: g.intNode(x, e.Args[0])}, rend: render{r: r, size: 8}}
	case "getopt":
		return g.getopt(e)
	case "kaddr":
		g.nargs(e, 1, 1)
		name := g.literal(e.Args[0], "kaddr's symbol")
		addr, ok := g.sc.ki.symbolAddr(name)
		if !ok {
			fail(e.Args[0], "unknown kernel symbol %s", name)
		}
		return intOf(u64Type, &nConst{addr})
	case "ntop":
		g.nargs(e, 1, 2)
		return g.ntop(e)
	case "pton":
		g.nargs(e, 1, 1)
		text := g.literal(e.Args[0], "pton's address")
		a, err := netip.ParseAddr(text)
		if err != nil {
			fail(e.Args[0], "pton: %q is not an IPv4 or IPv6 address", text)
		}
		if a.Is4() {
			b := a.As4()
			return &sval{kind: skInt, v: &value{t: u32Type, n: &nConst{uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24}},
				rend: render{r: RenderIPv4, size: 4}}
		}
		b := a.As16()
		return &sval{kind: skBytes, isLit: true, lit: b[:], size: 16, rend: render{r: RenderIPv6, size: 16}}
	case "bswap", "ntohs", "ntohl", "htons", "htonl":
		g.nargs(e, 1, 1)
		x := g.expr(e.Args[0])
		n := g.intNode(x, e.Args[0])
		size := map[string]int{"ntohs": 2, "htons": 2, "ntohl": 4, "htonl": 4}[e.Name]
		if size == 0 {
			size = sizeof(x.v.t)
			if !validSize(size) || isPointer(x.v.t) {
				size = 8
			}
		}
		t := map[int]btf.Type{1: cIntegers["u8"], 2: cIntegers["u16"], 4: u32Type, 8: u64Type}[size]
		if size == 1 {
			return intOf(t, n)
		}
		return intOf(t, &nSwap{x: n, size: size})
	case "strncmp":
		g.nargs(e, 3, 3)
		limit := int(g.constArg(e.Args[2], "strncmp's length"))
		if limit < 1 {
			fail(e.Args[2], "strncmp's length must be positive")
		}
		a, b := g.settle(g.expr(e.Args[0]), e.Args[0]), g.settle(g.expr(e.Args[1]), e.Args[1])
		r := g.vreg()
		done := g.label()
		g.emit(asm.Mov.Imm(r, 0))
		g.strEqual(a, b, limit, true, done, e)
		g.emit(asm.Mov.Imm(r, 1))
		g.place(done)
		return intOf(s64Type, &nReg{r})
	case "kstack":
		g.nargs(e, 0, 2)
		return g.kstack(e.Args...)
	case "reg":
		g.nargs(e, 1, 1)
		name := g.literal(e.Args[0], "reg's register name")
		if g.t.kind != AttachKprobe && g.t.kind != AttachKretprobe {
			fail(e, "reg() exists only in kprobe and kretprobe probes")
		}
		if _, ok := g.sc.ki.regs.offsets[name]; !ok {
			failHint(e.Args[0], lang.DidYouMean(name, g.sc.ki.regs.names()), "unknown register %s", name)
		}
		return g.regValue(name, u64Type)
	case "sizeof":
		g.nargs(e, 1, 1)
		return g.sizeofExpr(&lang.SizeofExpr{Span: e.Span, X: e.Args[0]})
	}
	if v, ok := g.userFunc(e); ok {
		return v
	}
	failHint(e, lang.DidYouMean(e.Name, append(functionNames, userFuncNames()...)), "unknown function %s", e.Name)
	return nil
}

// literal folds e to a compile-time string: a literal or str($N).
func (g *sgen) literal(e lang.Expr, what string) string {
	v := g.expr(e)
	if v.param != nil {
		return *v.param
	}
	if v.kind == skStr && v.isLit {
		return string(v.lit)
	}
	fail(e, "%s must be a string literal", what)
	return ""
}

// convert applies an explicit render (ip(), b16(), ...).
func (g *sgen) convert(x *sval, rd render, at lang.Node) *sval {
	switch x.kind {
	case skInt:
		return &sval{kind: skInt, v: &value{t: x.v.t, n: g.intNode(x, at)}, rend: rd}
	case skMem:
		if rd.size <= 8 && validSize(rd.size) {
			return &sval{kind: skInt, v: &value{t: u64Type, n: &nLoad{addr: x.v.addr, size: rd.size, user: x.v.user}}, rend: rd}
		}
		return g.bytes(x.v.addr, rd.size, x.v.user, rd)
	case skBytes:
		x2 := *x
		x2.rend = rd
		return &x2
	}
	fail(at, "cannot show %s as an address or number", x.describe())
	return nil
}

// ntop shows an IPv4 or IPv6 address: a 4-byte integer or array is IPv4,
// 16 bytes are IPv6; ntop(AF, x) with a constant family says which.
func (g *sgen) ntop(e *lang.Call) *sval {
	x := g.expr(e.Args[len(e.Args)-1])
	at := e.Args[len(e.Args)-1]
	v6 := x.kind == skBytes && x.size >= 16 || x.kind == skMem && sizeof(x.v.t) == 16
	if len(e.Args) == 2 {
		af := g.constArg(e.Args[0], "ntop's address family (runtime families are not supported)")
		switch af {
		case 2:
			v6 = false
		case 10:
			v6 = true
		default:
			fail(e.Args[0], "ntop: family %d is neither AF_INET (2) nor AF_INET6 (10)", af)
		}
	}
	if v6 {
		return g.convert(x, render{RenderIPv6, 16}, at)
	}
	if x.kind == skMem && sizeof(x.v.t) < 4 {
		fail(at, "ntop needs 4 or 16 bytes, %s has %d", x.describe(), sizeof(x.v.t))
	}
	return g.convert(x, render{RenderIPv4, 4}, at)
}

// mapArg types a bare map argument (clear(@m), print(@m)).
func (g *sgen) mapArg(e lang.Expr, fn string) *smap {
	ref, ok := e.(*lang.MapRef)
	if !ok || len(ref.Keys) > 0 {
		fail(e, "%s takes a whole map: %s(@name)", fn, fn)
	}
	return g.sc.mapNamed(ref)
}

// print generates print(@m[, top[, div]]) and print(value).
func (g *sgen) print(e *lang.Call) {
	if ref, ok := e.Args[0].(*lang.MapRef); ok && len(ref.Keys) == 0 {
		m := g.sc.mapNamed(ref)
		var lim [2]int64
		for i, a := range e.Args[1:] {
			what := [2]string{"print's top", "print's div"}[i]
			if lim[i] = g.constArg(a, what); lim[i] < 0 {
				fail(a, "%s must not be negative", what)
			}
		}
		g.event(EventPrint, "", m.name, nil, e)
		ev := g.sc.out.Events[len(g.sc.out.Events)-1]
		ev.Top, ev.Div = lim[0], lim[1]
		return
	}
	if len(e.Args) > 1 {
		fail(e.Args[1], "print of a value takes one argument")
	}
	v := g.settle(g.expr(e.Args[0]), e.Args[0])
	g.event(EventPrint, "", "", []*sval{v}, e)
}
