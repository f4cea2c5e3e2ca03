package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// kinfo is the compiler's view of a Kernel for one compilation: it loads
// what is asked for once and indexes symbols by name.
type kinfo struct {
	k    Kernel
	regs *archRegs
	spec *btf.Spec // nil when the kernel has no BTF
	syms *symIndex // nil until symbols() is called
	// tpByStruct maps a struct name to the tracepoints that see it.
	tpByStruct map[string][]string
}

func newKinfo(k Kernel) (*kinfo, error) {
	regs, err := regsFor(k.Arch())
	if err != nil {
		return nil, err
	}
	ki := &kinfo{k: k, regs: regs}
	if spec, err := k.BTF(); err == nil {
		ki.spec = spec
	} else if !errors.Is(err, btf.ErrNotSupported) {
		return nil, fmt.Errorf("kernel BTF: %w", err)
	}
	return ki, nil
}

// symbols returns the kernel's symbols, indexed on demand.
func (ki *kinfo) symbols() *symIndex {
	if ki.syms != nil {
		return ki.syms
	}
	if ix, ok := ki.k.(symbolIndexer); ok {
		ki.syms = ix.symbolIndex()
	} else {
		syms, _ := ki.k.Symbols()
		ki.syms = &symIndex{all: syms}
	}
	return ki.syms
}

// symbolIndexer is a Kernel that keeps its symbols' index across
// compilations (HostKernel).
type symbolIndexer interface {
	symbolIndex() *symIndex
}

// symIndex finds symbols by name. A compile of a few probes looks up a
// few names: a scan of the ~100k symbols costs well under a millisecond
// each, where indexing them all costs tens; so names are scanned for
// until scanLimit lookups have been made, and then indexed. Either way
// the answers are the same. Not safe for concurrent use.
type symIndex struct {
	all    []Symbol            // file order
	scans  int                 // lookups made by scanning
	byName map[string][]Symbol // nil until scanLimit scans
	funcs  []string            // function names, sorted; nil until asked
}

const scanLimit = 16

// lookup returns the symbols named name, in file order.
func (x *symIndex) lookup(name string) []Symbol {
	if x.byName == nil && x.scans >= scanLimit {
		x.byName = make(map[string][]Symbol, len(x.all))
		for _, s := range x.all {
			x.byName[s.Name] = append(x.byName[s.Name], s)
		}
	}
	if x.byName != nil {
		return x.byName[name]
	}
	x.scans++
	var out []Symbol
	for _, s := range x.all {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// funcNames returns the names of the function symbols, sorted.
func (x *symIndex) funcNames() []string {
	if x.funcs == nil {
		x.funcs = []string{}
		for _, s := range x.all {
			if s.Func {
				x.funcs = append(x.funcs, s.Name)
			}
		}
		sort.Strings(x.funcs)
	}
	return x.funcs
}

// optimizedSuffixes are the suffixes compilers append to a function's name
// when they clone or split it; the plain name then is not a symbol.
var optimizedSuffixes = []string{".isra.", ".constprop.", ".part.", ".cold"}

// resolveFunc finds the symbol to attach to for the function the user
// named: the name itself, or NAME.isra.N / NAME.constprop.N / NAME.part.N
// (preferred in that order) / NAME.cold. ok is false when the kernel has
// no such function.
func (ki *kinfo) resolveFunc(name string) (target string, ok bool) {
	syms := ki.symbols()
	if ss := syms.lookup(name); len(ss) > 0 && ss[0].Func {
		return name, true
	}
	var best string
	bestRank := len(optimizedSuffixes)
	try := func(cand string) {
		for r, suf := range optimizedSuffixes {
			if strings.HasPrefix(cand[len(name):], suf) && (r < bestRank || r == bestRank && cand < best) {
				best, bestRank = cand, r
			}
		}
	}
	if syms.funcs != nil || syms.byName != nil {
		funcs := syms.funcNames()
		for i := sort.SearchStrings(funcs, name+"."); i < len(funcs) && strings.HasPrefix(funcs[i], name+"."); i++ {
			try(funcs[i])
		}
	} else {
		for _, s := range syms.all {
			if s.Func && strings.HasPrefix(s.Name, name+".") {
				try(s.Name)
			}
		}
	}
	return best, best != ""
}

// funcProto returns the BTF prototype of function name, looking in the
// module that defines it when vmlinux does not.
func (ki *kinfo) funcProto(name string) (*btf.FuncProto, bool) {
	var fn *btf.Func
	if ki.spec != nil && ki.spec.TypeByName(name, &fn) == nil {
		p, ok := fn.Type.(*btf.FuncProto)
		return p, ok
	}
	for _, s := range ki.symbols().lookup(name) {
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
	for _, s := range ki.symbols().lookup(name) {
		if s.Module == "" {
			continue
		}
		if spec, err := ki.k.ModuleBTF(s.Module); err == nil {
			return spec
		}
	}
	return nil
}

// funcHint suggests function names near name, from kallsyms and, when the
// kernel lists no symbols, from BTF.
func (ki *kinfo) funcHint(name string) string {
	names := ki.symbols().funcNames()
	if len(names) == 0 && ki.spec != nil {
		for t := range ki.spec.All() {
			if fn, ok := t.(*btf.Func); ok {
				names = append(names, fn.Name)
			}
		}
	}
	return lang.DidYouMean(name, names)
}

// symbolAddr returns the address of a kernel data or text symbol.
func (ki *kinfo) symbolAddr(name string) (uint64, bool) {
	ss := ki.symbols().lookup(name)
	if len(ss) == 0 {
		return 0, false
	}
	return ss[0].Addr, true
}

// globalType returns the BTF type of global variable name.
func (ki *kinfo) globalType(name string) (btf.Type, bool) {
	var v *btf.Var
	if ki.spec != nil && ki.spec.TypeByName(name, &v) == nil {
		return v.Type, true
	}
	return nil, false
}

// tracepoint reads and parses the format of subsys:event.
func (ki *kinfo) tracepoint(subsys, event string) ([]*tpField, error) {
	text, err := ki.k.TracepointFormat(subsys, event)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoTracepoint
	}
	if err != nil {
		return nil, err
	}
	return parseFormat(text)
}

var errNoTracepoint = errors.New("no such tracepoint")
