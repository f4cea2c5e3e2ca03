package compiler

import (
	"net/netip"
	"sort"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// scriptFunc is one builtin function of scripts, as bpftrace's call specs
// and ply's built-in tables describe theirs: adding a function is one
// entry here.
type scriptFunc struct {
	min, max int // how many arguments it takes
	// void functions yield no value: statements (printf, exit, ...).
	void bool
	// agg, for an aggregation (count, hist, ...), is the map kind it
	// makes; only "@m[k] = f(...)" calls it (sgen.aggregate), gen is nil.
	agg spec.MapKind
	// gen checks the arguments of a call whose count is right, and
	// generates it.
	gen func(g *sgen, e *lang.Call) *sval
}

// scriptFuncs are the builtin functions, by name; scriptFuncNames lists
// them, sorted, for did-you-mean hints. init fills both: the generators
// refer back to the table through the expressions they generate.
var (
	scriptFuncs     map[string]*scriptFunc
	scriptFuncNames []string
)

func init() {
	void := func(gen func(g *sgen, e *lang.Call)) func(g *sgen, e *lang.Call) *sval {
		return func(g *sgen, e *lang.Call) *sval {
			gen(g, e)
			return &sval{kind: skVoid}
		}
	}
	scriptFuncs = map[string]*scriptFunc{
		"printf": {min: 1, max: 100, void: true, gen: void((*sgen).printf)},
		"cat":    {min: 1, max: 100, void: true, gen: void(func(g *sgen, e *lang.Call) { g.formatted(e, spec.EventCat) })},
		"print":  {min: 1, max: 3, void: true, gen: void((*sgen).print)},
		"debugf": {min: 1, max: 1 + maxDebugfArgs, void: true, gen: void((*sgen).debugfCall)},
		"time":   {min: 0, max: 1, void: true, gen: void((*sgen).timeCall)},
		"exit":   {min: 0, max: 0, void: true, gen: void((*sgen).exitCall)},
		"clear":  {min: 1, max: 1, void: true, gen: void((*sgen).clearCall)},
		"zero":   {min: 1, max: 1, void: true, gen: void((*sgen).clearCall)},
		"delete": {min: 1, max: 1, void: true, gen: void((*sgen).deleteCall)},
		"signal": {min: 1, max: 1, void: true, gen: void((*sgen).signalCall)},
		// system takes any arguments: it fails whatever they are.
		"system":  {min: 1, max: 100, void: true, gen: void((*sgen).systemCall)},
		"unwatch": {min: 1, max: 1, void: true, gen: void((*sgen).unwatchCall)},
		"join":    {min: 1, max: 2, void: true, gen: void((*sgen).joinCall)},

		"str":         {min: 1, max: 2, gen: (*sgen).strCall},
		"buf":         {min: 1, max: 2, gen: (*sgen).bufCall},
		"ksym":        {min: 1, max: 1, gen: (*sgen).ksymCall},
		"ksymoff":     {min: 1, max: 1, gen: (*sgen).ksymCall},
		"usym":        {min: 1, max: 1, gen: (*sgen).usymCall},
		"uaddr":       {min: 1, max: 1, gen: (*sgen).uaddrCall},
		"getopt":      {min: 1, max: 3, gen: (*sgen).getopt},
		"kaddr":       {min: 1, max: 1, gen: (*sgen).kaddrCall},
		"ntop":        {min: 1, max: 2, gen: (*sgen).ntop},
		"macaddr":     {min: 1, max: 1, gen: (*sgen).macaddrCall},
		"strerror":    {min: 1, max: 1, gen: (*sgen).strerrorCall},
		"pton":        {min: 1, max: 1, gen: (*sgen).ptonCall},
		"bswap":       {min: 1, max: 1, gen: (*sgen).swapCall},
		"ntohs":       {min: 1, max: 1, gen: (*sgen).swapCall},
		"ntohl":       {min: 1, max: 1, gen: (*sgen).swapCall},
		"htons":       {min: 1, max: 1, gen: (*sgen).swapCall},
		"htonl":       {min: 1, max: 1, gen: (*sgen).swapCall},
		"strncmp":     {min: 3, max: 3, gen: (*sgen).strncmpCall},
		"strftime":    {min: 2, max: 2, gen: (*sgen).strftimeCall},
		"strcontains": {min: 2, max: 2, gen: (*sgen).strcontainsCall},
		"cgroup_path": {min: 1, max: 2, gen: (*sgen).cgroupPathCall},
		"uptr":        {min: 1, max: 1, gen: func(g *sgen, e *lang.Call) *sval { return g.addrSpaceCall(e, true) }},
		"kptr":        {min: 1, max: 1, gen: func(g *sgen, e *lang.Call) *sval { return g.addrSpaceCall(e, false) }},
		"kstack":      {min: 0, max: 2, gen: func(g *sgen, e *lang.Call) *sval { return g.kstack(e.Args...) }},
		"ustack":      {min: 0, max: 2, gen: func(g *sgen, e *lang.Call) *sval { return g.ustack(e.Args...) }},
		"reg":         {min: 1, max: 1, gen: (*sgen).regCall},
		"pcap":        {min: 2, max: 2, gen: (*sgen).pcapCall},
		"sizeof": {min: 1, max: 1, gen: func(g *sgen, e *lang.Call) *sval {
			return g.sizeofExpr(&lang.SizeofExpr{Span: e.Span, X: e.Args[0]})
		}},

		"count": {min: 0, max: 0, agg: spec.MapCount},
		"sum":   {min: 1, max: 1, agg: spec.MapSum},
		"avg":   {min: 1, max: 1, agg: spec.MapAvg},
		"min":   {min: 1, max: 1, agg: spec.MapMin},
		"max":   {min: 1, max: 1, agg: spec.MapMax},
		"stats": {min: 1, max: 1, agg: spec.MapStats},
		"hist":  {min: 1, max: 1, agg: spec.MapHist},
		"lhist": {min: 4, max: 4, agg: spec.MapLhist},
	}
	// The user-space functions (script_userfunc.go) take their arguments
	// as a tuple that the runtime resolves.
	for name, uf := range userFuncs {
		scriptFuncs[name] = &scriptFunc{min: len(uf.args), max: len(uf.args), gen: (*sgen).userFunc}
	}
	// The conversions choose how a value prints, as the name prefixes do.
	for name, rd := range map[string]render{
		"ip": {r: spec.RenderIPv4, size: 4}, "ip6": {r: spec.RenderIPv6, size: 16}, "mac": {r: spec.RenderMAC, size: 6},
		"b16": {r: spec.RenderBE, size: 2}, "b32": {r: spec.RenderBE, size: 4}, "b64": {r: spec.RenderBE, size: 8},
		"B16": {r: spec.RenderBEHex, size: 2}, "B32": {r: spec.RenderBEHex, size: 4}, "B64": {r: spec.RenderBEHex, size: 8},
	} {
		scriptFuncs[name] = &scriptFunc{min: 1, max: 1, gen: func(g *sgen, e *lang.Call) *sval {
			return g.convert(g.expr(e.Args[0]), rd, e.Args[0])
		}}
	}
	for name := range scriptFuncs {
		scriptFuncNames = append(scriptFuncNames, name)
	}
	sort.Strings(scriptFuncNames)
}

// timeCall generates time([format]).
func (g *sgen) timeCall(e *lang.Call) {
	format := ""
	if len(e.Args) == 1 {
		format = g.literal(e.Args[0], "time's format")
	}
	g.event(spec.EventTime, format, "", nil, e)
}

// exitCall generates exit(): the exit event, then the program's return.
func (g *sgen) exitCall(e *lang.Call) {
	g.event(spec.EventExit, "", "", nil, e)
	g.Jump(asm.Ja.Label(""), g.Exit)
}

// clearCall generates clear(@m) and zero(@m).
func (g *sgen) clearCall(e *lang.Call) {
	m := g.mapArg(e.Args[0], e.Name)
	kind := spec.EventClear
	if e.Name == "zero" {
		kind = spec.EventZero
	}
	g.event(kind, "", m.name, nil, e)
}

// deleteCall generates delete(@m[key]).
func (g *sgen) deleteCall(e *lang.Call) {
	ref, ok := e.Args[0].(*lang.MapRef)
	if !ok {
		fail(e.Args[0], "delete takes a map element: delete(@m[key])")
	}
	g.mapDelete(ref, e)
}

// signalCall generates signal(SIG), which --unsafe allows.
func (g *sgen) signalCall(e *lang.Call) {
	if !g.sc.opts.Unsafe {
		fail(e, "signal() acts on the traced process; it needs --unsafe")
	}
	sig := g.Val(g.intNode(g.expr(e.Args[0]), e.Args[0]))
	g.Emit(asm.Mov.Reg(asm.R1, sig))
	g.Call(asm.FnSendSignal)
	g.checkHelper(asm.FnSendSignal, e)
}

// systemCall generates system(FORMAT, ...), which --unsafe allows: the
// runtime formats the command and runs it through the shell.
func (g *sgen) systemCall(e *lang.Call) {
	if !g.sc.opts.Unsafe {
		fail(e, "system() is an unsafe function being used in safe mode (it runs a command; allow it with --unsafe)")
	}
	g.formatted(e, spec.EventSystem)
}

// strCall generates str(x[, length]).
func (g *sgen) strCall(e *lang.Call) *sval {
	limit := 0
	if len(e.Args) == 2 {
		limit = int(g.constArg(e.Args[1], "str's length"))
		if limit < 1 || limit > 4095 {
			fail(e.Args[1], "str's length must be between 1 and 4095")
		}
	}
	return g.str(g.expr(e.Args[0]), limit, e.Args[0])
}

// strerrorCall generates strerror(ERRNO): the number, printed as C's
// strerror text by the runtime.
func (g *sgen) strerrorCall(e *lang.Call) *sval {
	x := g.expr(e.Args[0])
	if x.kind != skInt {
		fail(e.Args[0], "strerror takes an errno, not %s", x.describe())
	}
	return &sval{kind: skInt, v: &value{t: s64Type, n: g.intNode(x, e.Args[0])}, rend: render{r: spec.RenderStrerror, size: 8}}
}

// macaddrCall generates macaddr(X): the 6 bytes of a char[6] (or of
// the memory a pointer points at), printed as bpftrace prints them,
// 05:04:03:02:01:0A.
func (g *sgen) macaddrCall(e *lang.Call) *sval {
	x := g.expr(e.Args[0])
	var addr codegen.Node
	user := false
	switch {
	case x.kind == skMem && x.v.addr != nil && sizeof(x.v.t) >= 6:
		addr, user = x.v.addr, x.v.user
	case x.kind == skInt && isPointer(x.v.t):
		addr, user = g.intNode(x, e.Args[0]), g.userPtr(x.v.t)
	default:
		fail(e.Args[0], "macaddr takes a char[6] in memory or a pointer to one, not %s", x.describe())
	}
	return g.bytes(addr, 6, user, render{r: spec.RenderMACUpper, size: 6})
}

// bufCall generates buf(addr[, length]): raw bytes of memory.
func (g *sgen) bufCall(e *lang.Call) *sval {
	x := g.expr(e.Args[0])
	if x.kind == skStr {
		return g.bufOfString(e, x)
	}
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
		user = g.userPtr(x.v.t)
	}
	return g.bytes(addr, n, user, render{r: spec.RenderBuf, size: n})
}

// strftimeCall generates strftime(FORMAT, NSECS): the time, printed as
// wall-clock time in FORMAT by the runtime.
func (g *sgen) strftimeCall(e *lang.Call) *sval {
	format := g.literal(e.Args[0], "strftime's format")
	x := g.expr(e.Args[1])
	if x.kind != skInt {
		fail(e.Args[1], "strftime takes nanoseconds, not %s", x.describe())
	}
	return &sval{kind: skInt, v: &value{t: u64Type, n: g.intNode(x, e.Args[1])},
		rend: render{r: spec.RenderStrftime, size: 8, format: format}}
}

// cgroupPathCall generates cgroup_path(ID[, "FILTER"]): the cgroup id,
// printed by the runtime as its path in each hierarchy FILTER matches.
func (g *sgen) cgroupPathCall(e *lang.Call) *sval {
	x := g.expr(e.Args[0])
	if x.kind != skInt {
		fail(e.Args[0], "cgroup_path takes a cgroup id, not %s", x.describe())
	}
	filter := ""
	if len(e.Args) == 2 {
		filter = g.literal(e.Args[1], "cgroup_path's filter")
	}
	return &sval{kind: skInt, v: &value{t: u64Type, n: g.intNode(x, e.Args[0])},
		rend: render{r: spec.RenderCgroupPath, size: 8, format: filter}}
}

// bufOfString generates buf(STRING, N): the string's first N bytes,
// zero-padded past its end, as bpftrace makes them.
func (g *sgen) bufOfString(e *lang.Call, x *sval) *sval {
	if len(e.Args) != 2 {
		fail(e, "buf of a string needs a length, as in buf(str, 8)")
	}
	n := int(g.constArg(e.Args[1], "buf's length"))
	if n < 1 || n > 1024 {
		fail(e, "buf needs a constant length between 1 and 1024")
	}
	rend := render{r: spec.RenderBuf, size: n}
	if x.isLit {
		b := make([]byte, n)
		copy(b, x.lit)
		return &sval{kind: skBytes, isLit: true, lit: b, size: (n + 7) &^ 7, rend: rend}
	}
	off := g.region(n)
	g.zero(off, (n+7)&^7)
	t := g.Reg()
	lim := min(n, x.size)
	for i := 0; i < lim; {
		size := 8
		for i+size > lim {
			size /= 2
		}
		op := codegen.SizeOp(size)
		g.Emit(asm.LoadMem(t, g.buf, int16(x.off+i), op), asm.StoreMem(g.buf, int16(off+i), t, op))
		i += size
	}
	return &sval{kind: skBytes, off: off, size: (n + 7) &^ 7, rend: rend}
}

// ksymCall generates ksym(addr), the address printed as its symbol, and
// ksymoff(addr), printed as symbol+0xoff.
func (g *sgen) ksymCall(e *lang.Call) *sval {
	x := g.expr(e.Args[0])
	r := map[string]spec.Render{"ksym": spec.RenderSym, "ksymoff": spec.RenderKsym}[e.Name]
	return &sval{kind: skInt, v: &value{t: u64Type, n: g.intNode(x, e.Args[0])}, rend: render{r: r, size: 8}}
}

// kaddrCall generates kaddr("symbol"): the symbol's address, a constant.
func (g *sgen) kaddrCall(e *lang.Call) *sval {
	name := g.literal(e.Args[0], "kaddr's symbol")
	addr, ok := g.sc.ki.symbolAddr(name)
	if !ok {
		// bpftrace's words, which its users and tests match.
		failHint(e.Args[0], g.sc.ki.globalHint(name), "Failed to resolve kernel symbol: %s", name)
	}
	return intOf(u64Type, &codegen.Const{V: addr})
}

// ptonCall generates pton("address"): an IPv4 address as an integer, an
// IPv6 one as 16 bytes.
func (g *sgen) ptonCall(e *lang.Call) *sval {
	text := g.literal(e.Args[0], "pton's address")
	a, err := netip.ParseAddr(text)
	if err != nil {
		fail(e.Args[0], "pton: %q is not an IPv4 or IPv6 address", text)
	}
	if a.Is4() {
		b := a.As4()
		return &sval{kind: skInt, v: &value{t: u32Type, n: &codegen.Const{V: uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24}},
			rend: render{r: spec.RenderIPv4, size: 4}}
	}
	b := a.As16()
	return &sval{kind: skBytes, isLit: true, lit: b[:], size: 16, rend: render{r: spec.RenderIPv6, size: 16}}
}

// swapCall generates bswap(x) (x's size) and ntohs, ntohl, htons, htonl.
func (g *sgen) swapCall(e *lang.Call) *sval {
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
	return intOf(t, &codegen.Swap{X: n, Size: size})
}

// strncmpCall generates strncmp(a, b, n): 0 when the first n bytes match.
func (g *sgen) strncmpCall(e *lang.Call) *sval {
	limit := int(g.constArg(e.Args[2], "strncmp's length"))
	if limit < 1 {
		fail(e.Args[2], "strncmp's length must be positive")
	}
	a, b := g.settle(g.expr(e.Args[0]), e.Args[0]), g.settle(g.expr(e.Args[1]), e.Args[1])
	r := g.Reg()
	done := g.Label()
	g.Emit(asm.Mov.Imm(r, 0))
	g.strEqual(a, b, limit, true, done, e)
	g.Emit(asm.Mov.Imm(r, 1))
	g.Place(done)
	return intOf(s64Type, &codegen.InReg{R: r})
}

// regCall generates reg("name"): a register of a kprobe's or uprobe's
// pt_regs.
func (g *sgen) regCall(e *lang.Call) *sval {
	name := g.literal(e.Args[0], "reg's register name")
	if g.t.kind != spec.AttachKprobe && g.t.kind != spec.AttachKretprobe && !g.t.kind.User() {
		fail(e, "reg() exists only in kprobe, kretprobe, uprobe, uretprobe and usdt probes")
	}
	if _, ok := g.sc.ki.regs.offsets[name]; !ok {
		failHint(e.Args[0], lang.DidYouMean(name, g.sc.ki.regs.names()), "unknown register %s", name)
	}
	return g.regValue(name, u64Type)
}
