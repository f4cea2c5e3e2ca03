package compiler

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// macros are the C constants scripts commonly use without headers.
var macros = map[string]int64{
	"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10, "AF_PACKET": 17, "AF_NETLINK": 16,
	"ETH_P_IP": 0x0800, "ETH_P_IPV6": 0x86DD, "ETH_P_ARP": 0x0806,
	"IPPROTO_ICMP": 1, "IPPROTO_TCP": 6, "IPPROTO_UDP": 17, "IPPROTO_ICMPV6": 58,
}

// ident types a builtin, an argument or a constant.
func (g *sgen) ident(e *lang.Ident) *sval {
	if g.t.kind.TC() && tcRefuses[e.Name] {
		fail(e, "%s is not available in tc probes: their programs run for a packet, not for a task (use skb)", e.Name)
	}
	if gen, ok := scriptIdents[e.Name]; ok {
		return gen(g, e)
	}
	if n, ok := strings.CutPrefix(e.Name, "sarg"); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i <= 9 {
			return g.stackArg(i, e)
		}
	}
	if n, ok := strings.CutPrefix(e.Name, "arg"); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i <= 9 {
			return g.argN(i, e)
		}
	}
	if v, ok := macros[e.Name]; ok {
		return intConst(v)
	}
	if v, ok := g.enumValue(e.Name); ok {
		return intConst(v)
	}
	failHint(e, lang.DidYouMean(e.Name, scriptIdentNames), "unknown identifier %s", e.Name)
	return nil
}

// enumValue finds an enumerator in BTF (TCP_ESTABLISHED, ...).
func (g *sgen) enumValue(name string) (int64, bool) {
	spec := g.sc.ki.vmlinux()
	if spec == nil {
		return 0, false
	}
	for t := range spec.All() {
		if en, ok := t.(*btf.Enum); ok {
			for _, v := range en.Values {
				if v.Name == name {
					return int64(v.Value), true
				}
			}
		}
	}
	return 0, false
}

// kstack takes the kernel stack's id: kstack, kstack(N), kstack(MODE) and
// kstack(MODE, N) as bpftrace: MODE is
// bpftrace or perf, N (1 to 127) the most frames kept; a depth gets its own
// stack map, so stacks that agree in their first N frames share an id.
func (g *sgen) kstack(args ...lang.Expr) *sval {
	n := &codegen.StackID{}
	if len(args) > 0 {
		if id, ok := args[0].(*lang.Ident); ok {
			switch id.Name {
			case "perf":
				n.Perf = true
			case "bpftrace":
			default:
				failHint(id, lang.DidYouMean(id.Name, []string{"bpftrace", "perf"}), "unknown stack mode %s", id.Name)
			}
			args = args[1:]
		}
	}
	if len(args) > 1 {
		fail(args[1], "kstack takes a mode and a depth")
	}
	if len(args) == 1 {
		d := g.constArg(args[0], "kstack's depth")
		if d < 1 || d > maxStackDepth {
			fail(args[0], "kstack's depth must be between 1 and %d", maxStackDepth)
		}
		if d < maxStackDepth {
			n.Depth = int(d)
		}
	}
	g.sc.stacks = true
	if n.Depth > 0 {
		if g.sc.stackDepths == nil {
			g.sc.stackDepths = map[int]bool{}
		}
		g.sc.stackDepths[n.Depth] = true
	}
	return &sval{kind: skInt, v: &value{t: s64Type, n: n}, rend: render{r: spec.RenderStackID, size: 8}}
}

// elapsed is nanoseconds since the script started: a hidden BEGIN probe
// stores the start time.
func (g *sgen) elapsed() codegen.Node {
	g.sc.elapsed = true
	now := g.eager(asm.FnKtimeGetNs)
	g.Emit(asm.StoreImm(asm.R10, codegen.StackKey, 0, asm.Word))
	g.MapPtr(asm.R1, startMap)
	g.StackAddr(asm.R2, codegen.StackKey)
	g.Call(asm.FnMapLookupElem)
	p := g.Reg()
	g.Emit(asm.Mov.Reg(p, asm.R0))
	r := g.Reg()
	skip := g.Label()
	g.Emit(asm.Mov.Imm(r, 0))
	g.Jump(asm.JEq.Imm(p, 0, ""), skip)
	g.Emit(asm.LoadMem(r, p, 0, asm.DWord))
	g.Place(skip)
	d := g.Reg()
	g.Emit(asm.Mov.Reg(d, g.Val(now)), asm.Sub.Reg(d, r))
	return &codegen.InReg{R: d}
}

// startMap holds the start time elapsed counts from.
const startMap = "start"

// retval types the return value of kretprobe and fexit probes.
func (g *sgen) retval(e lang.Node) *sval {
	switch g.t.kind {
	case spec.AttachUretprobe:
		return g.regValue(g.sc.ki.regs.ret, s64Type)
	case spec.AttachKretprobe:
		var t btf.Type = s64Type
		if proto, ok := g.sc.ki.funcProto(g.t.fn); ok && proto.Return != nil {
			if _, void := proto.Return.(*btf.Void); !void && isScalar(proto.Return) {
				t = proto.Return
			}
		}
		return g.regValue(g.sc.ki.regs.ret, t)
	case spec.AttachFexit:
		t := g.t.proto.Return
		if t == nil || !isScalar(t) {
			t = s64Type
		}
		return g.ctxArg(len(g.t.proto.Params), t)
	}
	fail(e, "retval exists only in kretprobe, uretprobe and fexit probes")
	return nil
}

// regValue reads a pt_regs register.
func (g *sgen) regValue(name string, t btf.Type) *sval {
	n := codegen.Node(&codegen.CtxLoad{Off: g.sc.ki.regs.offsets[name], Size: 8})
	if isInteger(t) {
		n = codegen.Truncate(n, sizeof(t), isSigned(t))
	}
	return intOf(t, n)
}

// ctxArg reads argument i of a context that is an array of u64.
func (g *sgen) ctxArg(i int, t btf.Type) *sval {
	n := codegen.Node(&codegen.CtxLoad{Off: 8 * i, Size: 8})
	if isInteger(t) {
		n = codegen.Truncate(n, sizeof(t), isSigned(t))
	}
	return intOf(t, n)
}

// skb is the struct sk_buff * argument an argument selector found
// (kprobe:ip_*(struct sk_buff *)), wherever the function takes it.
func (g *sgen) skb(at lang.Node) *sval {
	if g.t.kind.TC() {
		return g.tcSkb(at)
	}
	if !g.t.skbSel {
		fail(at, "skb exists only in tc probes and in probes with the argument selector (struct sk_buff *), as in kprobe:ip_*(struct sk_buff *)")
	}
	if g.t.kind == spec.AttachKretprobe {
		fail(at, "skb is not available in kretprobe probes (the arguments are gone at return); use fexit")
	}
	t, err := lookupNamed(g.sc.ki.vmlinux(), "struct", "sk_buff")
	if err != nil {
		fail(at, "no struct sk_buff in BTF")
	}
	if g.t.kind == spec.AttachKprobe {
		return intOf(&btf.Pointer{Target: t}, g.argN(g.t.skbArg, at).v.n)
	}
	// A typed context argument may be NULL (qdisc_dequeue's skb) and
	// allows no arithmetic: read it as a plain value, so that member reads
	// go through bpf_probe_read_kernel as kprobe ones do.
	ctx := &codegen.InReg{R: g.Ctx}
	return intOf(&btf.Pointer{Target: t}, &codegen.Load{Addr: codegen.Add(ctx, int64(8*g.t.skbArg)), Size: 8})
}

// argN types arg0..arg9.
func (g *sgen) argN(i int, at lang.Node) *sval {
	switch g.t.kind {
	case spec.AttachUprobe:
		return g.userArg(i)
	case spec.AttachUsdt:
		return g.usdtArg(i, at)
	case spec.AttachUretprobe:
		fail(at, "arg%d is not available in uretprobe probes (the arguments are gone at return)", i)
	case spec.AttachKprobe:
		regs := g.sc.ki.regs
		if i < len(regs.args) {
			return g.regValue(regs.args[i], u64Type)
		}
		// Further arguments are on the stack above the return address
		// (x86) or at the stack pointer (arm64).
		sp := &codegen.CtxLoad{Off: regs.offsets["sp"], Size: 8}
		slot := i - len(regs.args)
		if g.sc.ki.k.Arch() != "arm64" {
			slot++
		}
		return intOf(u64Type, &codegen.Load{Addr: codegen.Add(sp, int64(8*slot)), Size: 8})
	case spec.AttachRawTracepoint, spec.AttachFentry, spec.AttachFexit:
		n := 12
		var t btf.Type = u64Type
		if g.t.proto != nil {
			n = len(g.t.proto.Params) - g.t.skip
			if i < n {
				t = g.t.proto.Params[i+g.t.skip].Type
			}
		}
		if i >= n {
			fail(at, "arg%d: the function has %d arguments", i, n)
		}
		if !isScalar(t) {
			t = u64Type
		}
		return g.ctxArg(i, t)
	case spec.AttachKretprobe:
		fail(at, "arg%d is not available in kretprobe probes (the arguments are gone at return)", i)
	}
	fail(at, "arg%d exists only in kprobe, uprobe, usdt, rawtracepoint, fentry and fexit probes", i)
	return nil
}

// arg types args->name.
func (g *sgen) arg(name string, at lang.Node) *sval {
	switch {
	case g.t.kind == spec.AttachTracepoint:
		for _, f := range g.t.tp {
			if f.Name == name {
				return g.tpArg(f, at)
			}
		}
		var names []string
		for _, f := range g.t.tp {
			if f.Offset >= 8 {
				names = append(names, f.Name)
			}
		}
		failHint(at, lang.DidYouMean(name, names), "tracepoint %s has no field %s", g.t.target, name)
	case g.t.proto != nil:
		params := g.t.proto.Params[g.t.skip:]
		var names []string
		for i, p := range params {
			if p.Name == name {
				t := p.Type
				if !isScalar(t) {
					fail(at, "args->%s is a %s passed by value, which is not supported", name, kernel.CType(t))
				}
				return g.ctxArg(i, t)
			}
			names = append(names, p.Name)
		}
		failHint(at, lang.DidYouMean(name, names), "%s has no argument %s (it has %s)", g.t.name, name, strings.Join(names, ", "))
	case g.t.kind == spec.AttachUprobe:
		return g.uprobeArg(name, at)
	}
	fail(at, "args exists only in tracepoint, typed rawtracepoint, fentry, fexit and uprobe probes")
	return nil
}

// tpArg types one tracepoint field; char arrays and __data_loc strings
// are strings.
// A pointer argument of a syscalls tracepoint points into user memory (see
// tpValue), so str(), buf() and dereferences read it with the user helpers.
func (g *sgen) tpArg(f *kernel.TracepointField, at lang.Node) *sval {
	lc := &lineChecker{ki: g.sc.ki, opts: g.sc.opts, userPtrs: strings.HasPrefix(g.t.target, "syscalls:"), namedInts: true}
	return wrap(lc.tpValue(f, at))
}

// param reads positional parameter $N or $#.
func (g *sgen) param(e *lang.Var) *sval {
	params := g.sc.opts.Params
	if e.Name == "#" {
		return intConst(int64(len(params)))
	}
	i, _ := strconv.Atoi(e.Name)
	text := ""
	if i >= 1 && i <= len(params) {
		text = params[i-1]
	}
	if text == "" {
		v := intConst(0)
		v.param = &text
		return v
	}
	n, err := strconv.ParseInt(text, 0, 64)
	if err != nil {
		v := strLit(text)
		v.param = &text
		return v
	}
	v := intConst(n)
	v.param = &text
	return v
}

// isParam reports whether a variable name is a positional parameter.
func isParam(name string) bool {
	if name == "#" {
		return true
	}
	_, err := strconv.Atoi(name)
	return err == nil
}
