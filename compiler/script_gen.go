package compiler

import (
	"errors"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// sgen checks and generates the program of one script probe at one
// attach point. Checking and generation are one pass: statements run in
// source order, so a scratch variable's type is known from its first
// assignment and side effects happen where the source puts them.
type sgen struct {
	*codegen.Builder
	sc      *scriptComp
	t       *target
	probe   *spec.Probe
	buf     asm.Register // the per-CPU scratch value
	vars    map[string]*svar
	varList []*svar
	nslots  int // stack slots holding integer variables
	scratch int // bytes of scratch space used so far
	// gaps is set when a helper may read scratch bytes the program
	// leaves unwritten (a record's header, a narrow integer's padding).
	gaps  bool
	loops []loopLabels
	// prologue is where variable initialisation goes once all variables
	// are known.
	prologue int
	// lastExpr is the expression generated last, where a memory read
	// computed afterwards (a member's load) is placed for -kk.
	lastExpr lang.Node
}

type loopLabels struct{ brk, cont int }

// svar is a scratch variable: an integer in a stack slot, a string or
// bytes in scratch space, or a tuple of variables.
type svar struct {
	name string
	kind skind
	t    btf.Type
	rend render
	slot int16
	off  int
	size int
	// strType is a string variable's type size (sval.strType).
	strType int
	elems   []*svar
}

// probe generates the program of block p at target t.
func (sc *scriptComp) probe(p *lang.Probe, t *target) {
	pr := &spec.Probe{Index: len(sc.out.Probes), Name: t.name, Kind: t.kind, Target: t.target,
		Offset: t.offset, Interval: t.interval, Semaphore: t.semaphore, Perf: t.perf, Pos: t.ap.Pos, Targets: t.targets,
		Label: p.Label}
	t.index, pr.Arming = pr.Index, t.watch != nil
	events := len(sc.out.Events)
	defer func() {
		if r := recover(); r != nil {
			sc.out.Events = sc.out.Events[:events]
			panic(r)
		}
	}()
	g := &sgen{Builder: codegen.New(), sc: sc, t: t, probe: pr, vars: map[string]*svar{}}
	g.AnySpace = noAddrSpace(t.kind) && sc.ki.k.Arch() == "x86_64"
	insns, err := g.program(p)
	if err != nil {
		panic(lang.Errorf(t.ap.Span, "%v", err))
	}
	pr.Spec = &ebpf.ProgramSpec{Name: progName(t.name), Type: t.typ, AttachType: t.attach,
		AttachTo: t.attachTo, Instructions: insns, License: "GPL"}
	sc.out.Probes = append(sc.out.Probes, pr)
	sc.used(g.scratch)
}

// noAddrSpace reports whether a probe's pointers belong to no address
// space, as bpftrace 0.17 sees BEGIN, END, interval, profile, software,
// hardware and watchpoint probes: bpftrace reads through them with the
// legacy bpf_probe_read, which reads a user address too (and fails with
// -EFAULT, not bpf_probe_read_kernel's -ERANGE, on a NULL one), and so
// does surftrace where that helper exists for every address (x86-64).
func noAddrSpace(k spec.AttachKind) bool {
	switch k {
	case spec.AttachBegin, spec.AttachEnd, spec.AttachInterval, spec.AttachProfile, spec.AttachSoftware,
		spec.AttachHardware, spec.AttachWatchpoint, spec.AttachAsyncWatchpoint:
		return true
	}
	return false
}

// progName makes a kernel object name: at most 15 of [A-Za-z0-9_].
func progName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) > 15 {
		b = b[:15]
	}
	return string(b)
}

// program emits prologue, predicate, body and epilogue, then allocates
// registers.
func (g *sgen) program(p *lang.Probe) (asm.Instructions, error) {
	g.Src = g.t.name + ": prologue"
	g.AfterRead = func(fn asm.BuiltinFunc) { g.checkHelper(fn, g.lastExpr) }
	g.Ctx, g.buf = g.Reg(), g.Reg()
	g.Emit(asm.Mov.Reg(g.Ctx, asm.R1))
	g.prologue = g.Mark()
	switch {
	case g.t.watch != nil:
		g.watchSetup()
	default:
		if p.Pred != nil {
			g.Src = "/" + source(p.Pred) + "/"
			g.branch(p.Pred, false, g.Exit)
		}
		g.stmts(p.Body)
	}
	g.Place(g.Exit)
	g.Src = g.t.name + ": return"
	g.Emit(asm.Mov.Imm(asm.R0, g.t.returnCode()), asm.Return())
	g.initVars()
	firstSlot := codegen.StackSpill0 - 8*g.nslots
	if g.stackScratch(firstSlot) {
		restore := g.Save()
		g.placeScratch(func() {
			g.Emit(asm.Mov.Reg(g.buf, asm.R10), asm.Add.Imm(g.buf, int32(codegen.StackLimit)))
		})
		g.Reserved = (g.scratch + 7) &^ 7
		insns, err := g.Finish(firstSlot)
		if !errors.Is(err, codegen.ErrStackFull) {
			return insns, err
		}
		restore() // the spilled values need the room: use the map
		g.Reserved = 0
	}
	g.placeScratch(func() { g.FirstValue(g.buf, ScratchMap) })
	return g.Finish(firstSlot)
}

// stackScratch reports whether the probe's scratch space can be the
// bottom of its stack frame rather than ScratchMap's per-CPU value: it
// must fit below the variables (firstSlot), and no helper may read
// bytes of it the program leaves unwritten (gaps), which kernels before
// 6.5 refuse on the stack. The stack saves the map lookup, which the
// kernel expands to a dozen instructions, on every event.
func (g *sgen) stackScratch(firstSlot int) bool {
	return !g.gaps && codegen.StackLimit+(g.scratch+7)&^7 <= firstSlot
}

// placeScratch inserts the code that sets buf, the scratch space's
// address, at the start of the probe, and drops what became unreachable.
func (g *sgen) placeScratch(set func()) {
	g.InsertAt(g.prologue, func() {
		g.Src = g.t.name + ": prologue"
		set()
	})
	g.DropUnreachable()
}

// initVars zeroes every variable at the start, so that a variable
// assigned on one path only reads as zero (or "") on the others.
func (g *sgen) initVars() {
	g.InsertAt(g.prologue, func() {
		g.Src = g.t.name + ": variables"
		var zero func(v *svar)
		zero = func(v *svar) {
			switch v.kind {
			case skInt:
				g.Emit(storeImm64(asm.R10, v.slot, 0))
			case skStr, skBytes, skAgg:
				g.zero(v.off, v.size)
			case skTuple:
				for _, e := range v.elems {
					zero(e)
				}
			}
		}
		for _, v := range g.varList {
			zero(v)
		}
	})
}

// region reserves size bytes of scratch space, 8-aligned.
func (g *sgen) region(size int) int {
	off := g.scratch
	g.scratch += (size + 7) &^ 7
	if g.scratch > maxScratch {
		panic(lang.Errorf(g.t.ap.Span, "this probe needs more than %d bytes of scratch space", maxScratch))
	}
	return off
}

// bufAddr sets machine register r to the scratch address buf+off.
func (g *sgen) bufAddr(r asm.Register, off int) {
	g.Emit(asm.Mov.Reg(r, g.buf), asm.Add.Imm(r, int32(off)))
}

// zero clears size bytes at scratch offset off (a multiple of 8).
func (g *sgen) zero(off, size int) {
	for i := 0; i < size; i += 8 {
		g.Emit(storeImm64(g.buf, int16(off+i), 0))
	}
}

// copyScratch copies size bytes (a multiple of 8) inside scratch space.
func (g *sgen) copyScratch(dst, src, size int) {
	t := g.Reg()
	for i := 0; i < size; i += 8 {
		g.Emit(asm.LoadMem(t, g.buf, int16(src+i), asm.DWord), asm.StoreMem(g.buf, int16(dst+i), t, asm.DWord))
	}
}

// storeBytes writes b to scratch at off, then zeroes up to size.
func (g *sgen) storeBytes(off int, b []byte, size int) {
	padded := make([]byte, (size+7)&^7)
	copy(padded, b)
	for i := 0; i < len(padded); i += 4 {
		w := int32(uint32(padded[i]) | uint32(padded[i+1])<<8 | uint32(padded[i+2])<<16 | uint32(padded[i+3])<<24)
		g.Emit(asm.StoreImm(g.buf, int16(off+i), int64(w), asm.Word))
	}
}

// eager computes a helper with side effects or a changing result now.
func (g *sgen) eager(fn asm.BuiltinFunc) codegen.Node {
	g.Call(fn)
	r := g.Reg()
	g.Emit(asm.Mov.Reg(r, asm.R0))
	return &codegen.InReg{R: r}
}

// stmts generates a statement list.
func (g *sgen) stmts(list []lang.Stmt) {
	for _, s := range list {
		g.stmt(s)
	}
}

func (g *sgen) stmt(s lang.Stmt) {
	g.Src = source(s)
	switch s := s.(type) {
	case *lang.ExprStmt:
		g.exprStmt(s.X)
	case *lang.AssignStmt:
		g.assign(s)
	case *lang.IfStmt:
		if s.Comptime {
			g.comptimeIf(s)
			return
		}
		g.Src = "if (" + source(s.Cond) + ")"
		if truth, known := g.consts().truth(s.Cond); known {
			// Bound parameters decide it: only that side is compiled.
			body := s.Then
			if !truth {
				body = s.Else
			}
			end := g.Scope()
			g.stmts(body)
			end()
			break
		}
		elseL, done := g.Label(), g.Label()
		g.branch(s.Cond, false, elseL)
		end := g.Scope()
		g.stmts(s.Then)
		end()
		if len(s.Else) > 0 {
			g.Jump(asm.Ja.Label(""), done)
		}
		g.Place(elseL)
		if len(s.Else) > 0 {
			end := g.Scope()
			g.stmts(s.Else)
			end()
		}
		g.Place(done)
	case *lang.WhileStmt:
		g.while(s)
	case *lang.UnrollStmt:
		n := g.constArg(s.Count, "unroll count")
		switch {
		case n < 1:
			fail(s.Count, "unroll minimum value is 1")
		case n > 100:
			fail(s.Count, "unroll maximum value is 100")
		}
		for range n {
			end := g.Scope()
			g.stmts(s.Body)
			end()
		}
	case *lang.BranchStmt:
		switch s.Tok {
		case "return":
			g.Jump(asm.Ja.Label(""), g.Exit)
		case "break", "continue":
			if len(g.loops) == 0 {
				fail(s, "%s outside a loop", s.Tok)
			}
			l := g.loops[len(g.loops)-1]
			target := l.brk
			if s.Tok == "continue" {
				target = l.cont
			}
			g.Jump(asm.Ja.Label(""), target)
		}
	case *lang.TraceStmt:
		fail(s, "expression-line traces are not statements")
	default:
		fail(s, "unsupported statement")
	}
}

// while generates a bounded loop; the kernel verifier proves the bound.
func (g *sgen) while(s *lang.WhileStmt) {
	head, done := g.Label(), g.Label()
	end := g.Scope()
	defer end()
	// Values computed before the loop stay valid inside it; values
	// computed inside are recomputed each iteration.
	g.Place(head)
	g.Src = "while (" + source(s.Cond) + ")"
	g.branch(s.Cond, false, done)
	g.loops = append(g.loops, loopLabels{brk: done, cont: head})
	g.stmts(s.Body)
	g.loops = g.loops[:len(g.loops)-1]
	g.Jump(asm.Ja.Label(""), head)
	g.Place(done)
}

// exprStmt evaluates a call or ++/-- for its effect.
func (g *sgen) exprStmt(e lang.Expr) {
	switch x := e.(type) {
	case *lang.Call:
		g.call1(x, true)
		return
	case *lang.IncDec:
		g.incDec(x)
		return
	case *lang.Ternary:
		// A statement c ? a : b runs one side for its effect, as an
		// if/else: its arms may be printf or exit, which have no value.
		elseL, done := g.Label(), g.Label()
		g.branch(x.Cond, false, elseL)
		end := g.Scope()
		g.exprStmt(x.Then)
		end()
		g.Jump(asm.Ja.Label(""), done)
		g.Place(elseL)
		end = g.Scope()
		g.exprStmt(x.Else)
		end()
		g.Place(done)
		return
	}
	g.expr(e)
}

// assign generates "$x op= v" and "@m[k] op= v".
func (g *sgen) assign(s *lang.AssignStmt) {
	switch t := s.Target.(type) {
	case *lang.Var:
		if s.Op == "=" {
			g.setVar(t, g.expr(s.Value))
			return
		}
		old := g.readVar(t)
		op := strings.TrimSuffix(s.Op, "=")
		g.setVar(t, g.arith(op, old, g.expr(s.Value), s))
	case *lang.MapRef:
		if s.Op == "=" {
			g.mapAssign(t, s.Value)
			return
		}
		g.mapUpdate(t, strings.TrimSuffix(s.Op, "="), g.expr(s.Value), s)
	default:
		fail(s.Target, "cannot assign to this expression")
	}
}

// incDec generates ++ and -- on a variable or a map element, returning
// the value the expression has (for variables).
func (g *sgen) incDec(e *lang.IncDec) *sval {
	op := "+"
	if e.Op == "--" {
		op = "-"
	}
	one := intConst(1)
	switch t := e.X.(type) {
	case *lang.Var:
		old := g.readVar(t)
		nv := g.arith(op, old, one, e)
		g.setVar(t, nv)
		if e.Post {
			return old
		}
		return g.readVar(t)
	case *lang.MapRef:
		g.mapUpdate(t, op, one, e)
		return &sval{kind: skVoid}
	}
	fail(e, "%s needs a variable or a map element", e.Op)
	return nil
}

// mapIncDecValue generates @m[k]++ (and --, ++@m[k], --@m[k]) used as a
// value: the element is read, then updated atomically; the value is the
// element before (post) or after (pre) the update. As in bpftrace, the read
// and the update are not one atomic step.
func (g *sgen) mapIncDecValue(ref *lang.MapRef, e *lang.IncDec) *sval {
	old := g.settle(g.mapRead(ref), e)
	r := g.Reg()
	g.Emit(asm.Mov.Reg(r, g.Val(g.intNode(old, e))))
	op := "+"
	if e.Op == "--" {
		op = "-"
	}
	g.mapUpdate(ref, op, intConst(1), e)
	if !e.Post {
		step := g.sc.mapNamed(ref).ptrStep()
		if op == "+" {
			g.Emit(asm.Add.Imm(r, step))
		} else {
			g.Emit(asm.Sub.Imm(r, step))
		}
	}
	return intOf(old.v.t, &codegen.InReg{R: r})
}

// setVar stores v into variable $name, creating it typed as v.
func (g *sgen) setVar(e *lang.Var, v *sval) {
	if isParam(e.Name) {
		fail(e, "cannot assign to positional parameter $%s", e.Name)
	}
	sv := g.vars[e.Name]
	if sv == nil {
		sv = g.newVar(e.Name, v, e)
		g.vars[e.Name] = sv
		g.varList = append(g.varList, sv)
	}
	g.storeVar(sv, v, e)
}

// newVar makes a variable for values like v.
func (g *sgen) newVar(name string, v *sval, at lang.Node) *svar {
	v = g.settle(v, at)
	sv := &svar{name: name, kind: v.kind, rend: v.rend}
	if r, size, ok := prefixRender(name); ok {
		sv.rend = render{r: r, size: size}
	}
	switch v.kind {
	case skInt:
		sv.t = v.v.t
		sv.slot = int16(codegen.StackSpill0 - 8*g.nslots)
		g.nslots++
		if codegen.StackSpill0-8*g.nslots < codegen.StackLimit+64 {
			fail(at, "too many variables for the 512-byte stack")
		}
	case skStr:
		sv.size = max(v.size, g.sc.strSize())
		if v.size > 0 && !v.isLit {
			sv.size = v.size
		}
		sv.off = g.region(sv.size)
		sv.strType = v.typeSize()
	case skBytes:
		sv.size = v.size
		sv.off = g.region(sv.size)
	case skAgg:
		sv.t, sv.size = v.v.t, v.size
		sv.off = g.region(sv.size)
	case skTuple:
		for i, e := range v.elems {
			sv.elems = append(sv.elems, g.newVar(name+"."+strconv.Itoa(i), e, at))
		}
	default:
		fail(at, "cannot assign %s to a variable", v.describe())
	}
	return sv
}

// storeVar stores v into sv, checking that the types agree.
func (g *sgen) storeVar(sv *svar, v *sval, at lang.Node) {
	v = g.settle(v, at)
	if v.kind != sv.kind {
		fail(at, "type mismatch: $%s holds %s, cannot assign %s", sv.name, sv.describe(), v.describe())
	}
	switch sv.kind {
	case skInt:
		r := g.Val(g.intNode(v, at))
		g.Emit(asm.StoreMem(asm.R10, sv.slot, r, asm.DWord))
	case skStr, skBytes:
		g.putBytes(sv.off, sv.size, v)
	case skAgg:
		if !sameAggType(sv.t, v.v.t) {
			fail(at, "type mismatch: $%s holds %s, cannot assign %s", sv.name, sv.describe(), v.describe())
		}
		g.copyScratch(sv.off, v.off, sv.size)
	case skTuple:
		if len(v.elems) != len(sv.elems) {
			fail(at, "type mismatch: $%s is a tuple of %d, cannot assign a tuple of %d", sv.name, len(sv.elems), len(v.elems))
		}
		for i, e := range v.elems {
			g.storeVar(sv.elems[i], e, at)
		}
	}
}

// readVar reads $name: a scratch variable or a positional parameter.
func (g *sgen) readVar(e *lang.Var) *sval {
	if isParam(e.Name) {
		return g.param(e)
	}
	sv := g.vars[e.Name]
	if sv == nil {
		var names []string
		for n := range g.vars {
			names = append(names, "$"+n)
		}
		failHint(e, lang.DidYouMean("$"+e.Name, names), "undefined variable $%s", e.Name)
	}
	return g.loadVar(sv)
}

func (g *sgen) loadVar(sv *svar) *sval {
	switch sv.kind {
	case skInt:
		r := g.Reg()
		g.Emit(asm.LoadMem(r, asm.R10, sv.slot, asm.DWord))
		return &sval{kind: skInt, v: &value{t: sv.t, n: &codegen.InReg{R: r}}, rend: sv.rend}
	case skStr, skBytes:
		return &sval{kind: sv.kind, off: sv.off, size: sv.size, rend: sv.rend, strType: sv.strType}
	case skAgg:
		return &sval{kind: skAgg, v: &value{t: sv.t}, off: sv.off, size: sv.size}
	}
	out := &sval{kind: skTuple}
	for _, e := range sv.elems {
		out.elems = append(out.elems, g.loadVar(e))
	}
	return out
}

func (v *svar) describe() string {
	return (&sval{kind: v.kind, v: &value{t: v.t}, size: v.size}).describe()
}
