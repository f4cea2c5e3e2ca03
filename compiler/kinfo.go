package compiler

import (
	"errors"
	"io/fs"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// kinfo is the compiler's view of a kernel.Kernel for one compilation: it
// loads what is asked for once and indexes symbols by name.
type kinfo struct {
	k    kernel.Kernel
	regs *archRegs
	// spec is vmlinux's BTF once vmlinux() has loaded it (nil when the
	// kernel has none): a program that needs no type, no function
	// prototype and no enum never pays for parsing it.
	spec       *btf.Spec
	specLoaded bool
	syms       *kernel.SymbolIndex // nil until symbols() is called
	modFuncs   []kernel.Symbol     // nil until moduleFuncs() is called
	// tpByStruct maps a struct name to the tracepoints that see it.
	tpByStruct map[string][]string
	// local holds the script's own C definitions; nil for none.
	local *cdecls
	// udebug holds user-space binaries' DWARF, by path, once read.
	udebug map[string]*userDebug
}

// resolveType finds the type a cast or sizeof names: the script's own C
// definitions first (as clang sees them before the kernel's headers),
// then C integers and BTF.
func (ki *kinfo) resolveType(tag, name string, ptr int) (btf.Type, error) {
	if ki.local != nil && tag != "" {
		if t, ok := ki.local.types[tag+" "+name]; ok {
			for range ptr {
				t = &btf.Pointer{Target: t}
			}
			return t, nil
		}
	}
	return resolveType(ki.vmlinux(), tag, name, ptr)
}

// enumType resolves `enum name` as resolveType does, through the
// kernel's EnumResolver while the BTF is not loaded, which spares a
// program whose only kernel type is a tracepoint field's enum the parse.
func (ki *kinfo) enumType(name string) (btf.Type, error) {
	if er, ok := ki.k.(kernel.EnumResolver); ok && !ki.specLoaded && (ki.local == nil || ki.local.types["enum "+name] == nil) {
		if en, err := er.Enum(name); err == nil {
			return en, nil
		}
	}
	return ki.resolveType("enum", name, 0)
}

func newKinfo(k kernel.Kernel) (*kinfo, error) {
	regs, err := regsFor(k.Arch())
	if err != nil {
		return nil, err
	}
	return &kinfo{k: k, regs: regs}, nil
}

// vmlinux returns the kernel's BTF, loading it on first use; nil when the
// kernel has none. Any other failure to load it stops the compilation
// (btfError, turned into the error of Compile by catchInternal).
func (ki *kinfo) vmlinux() *btf.Spec {
	if ki.specLoaded {
		return ki.spec
	}
	spec, err := ki.k.BTF()
	if err != nil && !errors.Is(err, btf.ErrNotSupported) {
		panic(btfError{err})
	}
	ki.spec, ki.specLoaded = spec, true
	return spec
}

// btfError is a failure to load the kernel's BTF other than its absence.
type btfError struct{ err error }

func (e btfError) Error() string { return "kernel BTF: " + e.err.Error() }
func (e btfError) Unwrap() error { return e.err }

// symbols returns the kernel's symbols, indexed on demand: the Kernel's
// own index when it keeps one across compilations.
func (ki *kinfo) symbols() *kernel.SymbolIndex {
	if ki.syms != nil {
		return ki.syms
	}
	if ix, ok := ki.k.(kernel.SymbolIndexer); ok {
		ki.syms = ix.SymbolIndex()
	} else {
		syms, _ := ki.k.Symbols()
		ki.syms = kernel.NewSymbolIndex(syms)
	}
	return ki.syms
}

// moduleFuncs returns the function symbols of modules, in file order: a
// few thousand of kallsyms' ~120k lines, which every kprobe selector
// (kprobe:GLOB(struct sk_buff *)) looks through twice.
func (ki *kinfo) moduleFuncs() []kernel.Symbol {
	if ki.modFuncs == nil {
		ki.modFuncs = []kernel.Symbol{}
		for _, s := range ki.symbols().All() {
			if s.Func && s.Module != "" {
				ki.modFuncs = append(ki.modFuncs, s)
			}
		}
	}
	return ki.modFuncs
}

// resolveFunc finds the symbol a kprobe on function name attaches to
// (kernel.SymbolIndex.ResolveFunc), through the kernel's FuncResolver
// when it has one, which spares reading all of kallsyms.
func (ki *kinfo) resolveFunc(name string) (string, bool) {
	if fr, ok := ki.k.(kernel.FuncResolver); ok {
		return fr.ResolveFunc(name)
	}
	return ki.symbols().ResolveFunc(name)
}

// vmlinuxFunc reports whether the first symbol named name is a function
// of vmlinux, through the kernel's FuncResolver when it has one.
func (ki *kinfo) vmlinuxFunc(name string) bool {
	if fr, ok := ki.k.(kernel.FuncResolver); ok {
		return fr.VmlinuxFunc(name)
	}
	ss := ki.symbols().Lookup(name)
	return len(ss) > 0 && ss[0].Func && ss[0].Module == ""
}

// funcProto returns the BTF prototype of function name, looking in the
// module that defines it when vmlinux does not.
func (ki *kinfo) funcProto(name string) (*btf.FuncProto, bool) {
	var fn *btf.Func
	if ki.vmlinux() != nil && ki.vmlinux().TypeByName(name, &fn) == nil {
		p, ok := fn.Type.(*btf.FuncProto)
		return p, ok
	}
	for _, s := range ki.symbols().Lookup(name) {
		if s.Module == "" {
			continue
		}
		spec, err := ki.k.ModuleBTF(s.Module)
		if err != nil {
			continue
		}
		if spec.TypeByName(name, &fn) == nil {
			p, ok := fn.Type.(*btf.FuncProto)
			return p, ok
		}
	}
	return nil, false
}

// moduleSpec returns the BTF of the module that defines function name
// (split on top of vmlinux), or nil for a vmlinux function.
func (ki *kinfo) moduleSpec(name string) *btf.Spec {
	for _, s := range ki.symbols().Lookup(name) {
		if s.Module == "" {
			continue
		}
		if ms, err := ki.k.ModuleBTF(s.Module); err == nil {
			return ms
		}
	}
	return nil
}

// funcHint names the function that replaced name (renames), else suggests
// function names near name, from kallsyms and, when the kernel lists no
// symbols, from BTF.
func (ki *kinfo) funcHint(name string) string {
	if h := ki.renameHint(name); h != "" {
		return h
	}
	names := ki.symbols().FuncNames()
	if len(names) == 0 && ki.vmlinux() != nil {
		for t := range ki.vmlinux().All() {
			if fn, ok := t.(*btf.Func); ok {
				names = append(names, fn.Name)
			}
		}
	}
	return lang.DidYouMean(name, names)
}

// symbolAddr returns the address of a kernel data or text symbol.
func (ki *kinfo) symbolAddr(name string) (uint64, bool) {
	ss := ki.symbols().Lookup(name)
	if len(ss) == 0 {
		return 0, false
	}
	return ss[0].Addr, true
}

// tracepoint reads and parses the format of subsys:event.
func (ki *kinfo) tracepoint(subsys, event string) ([]*kernel.TracepointField, error) {
	text, err := ki.k.TracepointFormat(subsys, event)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoTracepoint
	}
	if err != nil {
		return nil, err
	}
	return kernel.ParseFormat(text)
}

var errNoTracepoint = errors.New("no such tracepoint")
