package compiler

import (
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel/uelf"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// procPID is the running process whose mappings resolve user-space
// targets: -p's; 0 with -c, whose command is not yet exec'ed.
func (sc *scriptComp) procPID() int {
	if sc.opts.Child {
		return 0
	}
	return sc.opts.PID
}

// openELF resolves and opens the binary or library a user-space attach
// point names, failing at ap.
func (sc *scriptComp) openELF(ap *lang.AttachPoint, name string) *uelf.File {
	p, err := uelf.Resolve(name, sc.procPID())
	if err != nil {
		fail(ap, "%s: %v", name, err)
	}
	f, err := uelf.Open(p)
	if err != nil {
		fail(ap, "%s: %v", p, err)
	}
	return f
}

// uprobes resolves uprobe:BIN:FUNC[+OFF], uprobe:BIN:0xADDR and their
// wildcards into targets at file offsets of BIN.
func (sc *scriptComp) uprobes(ap *lang.AttachPoint) []*target {
	bin, fn, _ := strings.Cut(ap.Target, ":")
	if bin == "" || fn == "" {
		fail(ap, "want %s", "uprobe:BINARY:FUNCTION[+OFFSET]")
	}
	// A C++ function matches by its mangled or its demangled name
	// ("ns::Foo::bar(int)", quoted in the attach point), as in bpftrace.
	matches := func(s uelf.Symbol) bool {
		ok, _ := path.Match(fn, s.Name)
		if !ok && strings.HasPrefix(s.Name, "_Z") {
			ok, _ = path.Match(fn, uelf.Demangled(s.Name))
		}
		return ok
	}
	f := sc.openELF(ap, bin)
	defer f.Close()
	kind := spec.AttachUprobe
	if ap.Kind == lang.Uretprobe {
		kind = spec.AttachUretprobe
	}
	mk := func(fn string, addr uint64, name string) *target {
		off, err := f.FileOffset(addr)
		if err != nil {
			fail(ap, "%v", err)
		}
		return &target{ap: ap, kind: kind, fn: fn, target: f.Path, offset: off, user: true, vaddr: addr,
			typ: ebpf.Kprobe, name: string(ap.Kind) + ":" + f.Path + ":" + name}
	}
	if addr, ok := uprobeAddress(fn); ok {
		if !inSymbol(f, addr) {
			// bpftrace's words, which its users and tests match.
			fail(ap, "Could not resolve address: %s:0x%x", f.Path, addr)
		}
		// bpftrace names the probe by the address in decimal.
		return []*target{mk(symbolAt(f, addr), addr, strconv.FormatUint(addr, 10))}
	}
	if !isGlob(fn) {
		s, ok := f.Lookup(fn)
		if !ok {
			s, ok = lookupDemangled(f, fn)
		}
		if !ok {
			failHint(ap, lang.DidYouMean(fn, symbolNames(f)), "%s has no function %s", f.Path, fn)
		}
		if err := f.CheckOffset(s, ap.Offset); err != nil {
			fail(ap, "%v", err)
		}
		name := fn
		if ap.Offset != 0 {
			name += "+" + strconv.FormatUint(ap.Offset, 10)
		}
		if s.Name != fn {
			name = s.Name + name[len(fn):]
		}
		return []*target{mk(s.Name, s.Value+ap.Offset, name)}
	}
	if _, err := path.Match(fn, ""); err != nil {
		fail(ap, "bad wildcard %q", fn)
	}
	var out []*target
	for _, s := range f.Symbols() {
		if matches(s) {
			out = append(out, mk(s.Name, s.Value, s.Name))
		}
	}
	if len(out) == 0 {
		fail(ap, "no function of %s matches %s", f.Path, fn)
	}
	return out
}

// lookupDemangled finds the C++ function whose demangled name is name.
func lookupDemangled(f *uelf.File, name string) (uelf.Symbol, bool) {
	for _, s := range f.Symbols() {
		if strings.HasPrefix(s.Name, "_Z") && uelf.Demangled(s.Name) == name {
			return s, true
		}
	}
	return uelf.Symbol{}, false
}

// symbolAt names the function that starts at addr, "" when none does.
// uprobeAddress reads a uprobe target that is an address, as bpftrace
// does: hexadecimal after 0x, or all decimal digits.
func uprobeAddress(fn string) (uint64, bool) {
	if hex, ok := strings.CutPrefix(fn, "0x"); ok {
		addr, err := strconv.ParseUint(hex, 16, 64)
		return addr, err == nil
	}
	addr, err := strconv.ParseUint(fn, 10, 64)
	return addr, err == nil
}

// inSymbol reports whether addr lies inside one of f's function symbols
// (or starts one of size 0).
func inSymbol(f *uelf.File, addr uint64) bool {
	for _, s := range f.Symbols() {
		if addr == s.Value || addr > s.Value && addr-s.Value < s.Size {
			return true
		}
	}
	return false
}

func symbolAt(f *uelf.File, addr uint64) string {
	for _, s := range f.Symbols() {
		if s.Value == addr {
			return s.Name
		}
	}
	return ""
}

func symbolNames(f *uelf.File) []string {
	var out []string
	for _, s := range f.Symbols() {
		out = append(out, s.Name)
	}
	return out
}

// usdts resolves usdt:BIN:[PROVIDER:]NAME into targets at the probes'
// file offsets. Wildcards may stand in BIN (files), PROVIDER and NAME; an
// empty PROVIDER or NAME matches any; an empty BIN, with -p, is the
// process's executable and the libraries it maps.
func (sc *scriptComp) usdts(ap *lang.AttachPoint) []*target {
	parts := strings.Split(ap.Target, ":")
	if len(parts) < 2 || len(parts) > 3 {
		fail(ap, "want %s", "usdt:BINARY:[PROVIDER:]PROBE")
	}
	prov, name := "*", parts[len(parts)-1]
	if len(parts) == 3 && parts[1] != "" {
		prov = parts[1]
	}
	if name == "" {
		name = "*"
	}
	var out []*target
	var names []string
	exact := parts[0] != "" && !isGlob(parts[0])
	for _, bin := range sc.usdtFiles(ap, parts[0]) {
		ts, all := sc.usdtIn(ap, bin, prov, name, exact)
		out, names = append(out, ts...), append(names, all...)
	}
	if len(out) == 0 {
		want := name
		if len(parts) == 3 {
			want = prov + ":" + name
		}
		failHint(ap, lang.DidYouMean(want, names), "%s has no USDT probe %s", parts[0], want)
	}
	// bpftrace expands a wildcard into its matches sorted by name (and
	// attaches them in reverse, as the runtime does): with a process that
	// fires its probes in a loop, the one attached first fires first.
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// usdtFiles returns the files usdt:BIN names: BIN resolved, or the files
// a wildcard BIN matches, or with an empty BIN process -p's executable and
// libraries.
func (sc *scriptComp) usdtFiles(ap *lang.AttachPoint, bin string) []string {
	switch {
	case bin == "" && sc.procPID() == 0:
		fail(ap, "usdt without a binary needs -p PID")
	case bin == "":
		files, err := uelf.MappedFiles(sc.procPID())
		if err != nil {
			fail(ap, "-p %d: %v", sc.opts.PID, err)
		}
		return files
	case isGlob(bin):
		files, err := filepath.Glob(bin)
		if err != nil || len(files) == 0 {
			fail(ap, "no file matches %s", bin)
		}
		return files
	}
	p, err := uelf.Resolve(bin, sc.procPID())
	if err != nil {
		fail(ap, "%s: %v", bin, err)
	}
	return []string{p}
}

// usdtIn returns the targets of the probes of file bin that match prov
// and name, and the names of all its probes, for hints. A file that is
// no ELF fails when it was named exactly, else has no probes.
func (sc *scriptComp) usdtIn(ap *lang.AttachPoint, bin, prov, name string, exact bool) ([]*target, []string) {
	f, err := uelf.Open(bin)
	if err != nil && !exact {
		return nil, nil
	}
	if err != nil {
		fail(ap, "%s: %v", bin, err)
	}
	defer f.Close()
	notes, err := f.USDT()
	if err != nil {
		fail(ap, "%v", err)
	}
	var out []*target
	var names []string
	for i := range notes {
		n := &notes[i]
		names = append(names, n.Provider+":"+n.Name)
		okP, _ := path.Match(prov, n.Provider)
		okN, _ := path.Match(name, n.Name)
		if !okP || !okN {
			continue
		}
		t := &target{ap: ap, kind: spec.AttachUsdt, target: f.Path, user: true, usdt: n, vaddr: n.Addr, typ: ebpf.Kprobe,
			name: "usdt:" + f.Path + ":" + n.Provider + ":" + n.Name}
		if t.offset, err = f.FileOffset(n.Addr); err != nil {
			fail(ap, "%v", err)
		}
		if n.Semaphore != 0 {
			if t.semaphore, err = f.FileOffset(n.Semaphore); err != nil {
				fail(ap, "semaphore of %s:%s: %v", n.Provider, n.Name, err)
			}
		}
		out = append(out, t)
	}
	return out, names
}

// usdtArg reads argument i of a USDT probe from where its note says it
// is: a constant, a register, or user memory at a register plus an
// offset (and an index register times a scale); an 8-byte value is
// u64, a smaller one widened by its sign.
func (g *sgen) usdtArg(i int, at lang.Node) *sval {
	args := g.t.usdt.Args
	if i >= len(args) {
		fail(at, "arg%d: usdt %s:%s has %d arguments", i, g.t.usdt.Provider, g.t.usdt.Name, len(args))
	}
	a := args[i]
	t := u64Type
	if a.Signed {
		t = s64Type
	}
	var n codegen.Node
	switch a.Kind {
	case uelf.ArgConst:
		n = &codegen.Const{V: uint64(a.Const)}
	case uelf.ArgReg:
		n = &codegen.CtxLoad{Off: g.regOffset(a.Reg, at), Size: 8}
	case uelf.ArgMem:
		addr := codegen.Add(&codegen.CtxLoad{Off: g.regOffset(a.Reg, at), Size: 8}, a.Offset)
		if a.Symbol != "" {
			// At the probe, ip is the note's address plus the load
			// address: the global is as far from it as in the file.
			addr = codegen.Add(&codegen.CtxLoad{Off: g.regOffset(a.Reg, at), Size: 8}, int64(g.usdtSymbol(a.Symbol, at)+uint64(a.Offset)-g.t.vaddr))
		}
		if a.Index != "" {
			idx := codegen.Bin(asm.Mul, &codegen.CtxLoad{Off: g.regOffset(a.Index, at), Size: 8}, &codegen.Const{V: uint64(a.Scale)})
			addr = codegen.Bin(asm.Add, addr, idx)
		}
		n = &codegen.Load{Addr: addr, Size: a.Size, User: true}
	}
	return intOf(t, codegen.Truncate(n, a.Size, a.Signed))
}

// usdtSymbol is the address in the probed file of a global a USDT
// argument names.
func (g *sgen) usdtSymbol(name string, at lang.Node) uint64 {
	f, err := uelf.Open(g.t.target)
	if err != nil {
		fail(at, "%v", err)
	}
	defer f.Close()
	s, ok := f.Object(name)
	if !ok {
		if s, ok = f.Lookup(name); !ok {
			fail(at, "usdt %s:%s: argument names %s, which %s does not define", g.t.usdt.Provider, g.t.usdt.Name, name, g.t.target)
		}
	}
	return s.Value
}

// regOffset is register r's offset in struct pt_regs.
func (g *sgen) regOffset(r string, at lang.Node) int {
	off, ok := g.sc.ki.regs.offsets[r]
	if !ok {
		fail(at, "register %s is not in this architecture's pt_regs", r)
	}
	return off
}

// userArg reads argument i of a uprobe: a register, or for further
// arguments a slot of the user stack above the return address.
func (g *sgen) userArg(i int) *sval {
	regs := g.sc.ki.regs
	if i < len(regs.args) {
		return g.regValue(regs.args[i], u64Type)
	}
	sp := &codegen.CtxLoad{Off: regs.offsets["sp"], Size: 8}
	slot := i - len(regs.args)
	if g.sc.ki.k.Arch() != "arm64" {
		slot++
	}
	return intOf(u64Type, &codegen.Load{Addr: codegen.Add(sp, int64(8*slot)), Size: 8, User: true})
}

// userPtr reports whether memory through a pointer of type t is user
// memory: when t is tagged __user, and in user-space probes unless t is
// tagged as a kernel pointer.
func (g *sgen) userPtr(t btf.Type) bool { return isUserPtr(t) || g.t.user && !isKernelPtr(t) }

// inKernel tags v's type as a kernel pointer when v is a pointer read
// from kernel memory in a uprobe, so that what it points at is read as
// kernel memory too (curtask->mm->...), as bpftrace reads it.
func (g *sgen) inKernel(v *value) *value {
	if g.t.user && !v.user && v.addr != nil {
		v.t = kernelPtr(v.t)
	}
	return v
}

// ustack takes the user stack's id, with kstack's modes and depths; the
// id carries the process, whose mappings name the frames when printed.
func (g *sgen) ustack(args ...lang.Expr) *sval {
	v := g.kstack(args...)
	v.v.n.(*codegen.StackID).User = true
	return v
}

// usymCall generates usym(addr): the address and the process, printed as
// the name of the function holding the address in that process.
func (g *sgen) usymCall(e *lang.Call) *sval {
	x := g.expr(e.Args[0])
	addr := g.Val(g.intNode(x, e.Args[0]))
	off := g.region(16)
	g.Emit(asm.StoreMem(g.buf, int16(off), addr, asm.DWord))
	tgid := g.Val(codegen.Bin(asm.RSh, &codegen.Helper{Fn: asm.FnGetCurrentPidTgid}, &codegen.Const{V: 32}))
	g.Emit(asm.StoreMem(g.buf, int16(off+8), tgid, asm.DWord))
	return &sval{kind: skBytes, off: off, size: 16, rend: render{r: spec.RenderUsym, size: 16}}
}

// stackArg types sargN: the Nth 8-byte slot on the stack at a function's
// entry (above the return address on x86-64), as bpftrace reads it, in
// user memory for uprobes and kernel memory for kprobes.
func (g *sgen) stackArg(i int, at lang.Node) *sval {
	if g.t.kind != spec.AttachKprobe && g.t.kind != spec.AttachUprobe {
		fail(at, "sarg%d exists only in kprobe and uprobe probes", i)
	}
	slot := i + 1 // above the return address
	if g.sc.ki.k.Arch() == "arm64" {
		slot = i // arm64 keeps the return address in a register
	}
	sp := &codegen.CtxLoad{Off: g.sc.ki.regs.offsets["sp"], Size: 8}
	return intOf(u64Type, &codegen.Load{Addr: codegen.Add(sp, int64(8*slot)), Size: 8, User: g.t.user})
}

// uaddrCall generates uaddr("NAME"): the address of a global variable (or
// function) of the probed binary, as a pointer to an integer of the
// symbol's size (u64 when that is no integer size). In a library or a
// position-independent executable the load address is added, found as
// the instruction pointer minus the probed instruction's address in the
// file; a uretprobe, which fires in the caller, cannot know it.
func (g *sgen) uaddrCall(e *lang.Call) *sval {
	name := g.literal(e.Args[0], "uaddr's symbol name")
	if !g.t.user {
		fail(e, "uaddr exists only in uprobe, uretprobe and usdt probes")
	}
	f, err := uelf.Open(g.t.target)
	if err != nil {
		fail(e, "%v", err)
	}
	defer f.Close()
	s, ok := f.Object(name)
	if !ok {
		if s, ok = f.Lookup(name); !ok {
			fail(e.Args[0], "%s has no symbol %s", g.t.target, name)
		}
	}
	elem := map[uint64]btf.Type{1: cIntegers["u8"], 2: cIntegers["u16"], 4: u32Type, 8: u64Type}[s.Size]
	if elem == nil {
		elem = u64Type
	}
	t := &btf.Pointer{Target: elem}
	if !f.Relocatable() {
		return intOf(t, &codegen.Const{V: s.Value})
	}
	if g.t.kind == spec.AttachUretprobe {
		fail(e, "uaddr in a uretprobe of %s, which loads at a run-time address, is not supported", g.t.target)
	}
	ip := &codegen.CtxLoad{Off: g.regOffset(g.sc.ki.regs.ip, e), Size: 8}
	return intOf(t, codegen.Add(ip, int64(s.Value-g.t.vaddr)))
}
