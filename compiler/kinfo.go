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
	k      Kernel
	regs   *archRegs
	spec   *btf.Spec // nil when the kernel has no BTF
	byName map[string][]Symbol
	funcs  []string // function symbol names, sorted, for hints
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

// symbols indexes the kernel's symbols on first use.
func (ki *kinfo) symbols() map[string][]Symbol {
	if ki.byName != nil {
		return ki.byName
	}
	if ix, ok := ki.k.(symbolIndexer); ok {
		ki.byName, ki.funcs = ix.symbolIndex()
		return ki.byName
	}
	syms, _ := ki.k.Symbols()
	ki.byName, ki.funcs = indexSymbols(syms)
	return ki.byName
}

// symbolIndexer is a Kernel that keeps its symbols indexed across
// compilations (HostKernel); the index is shared and must not be changed.
type symbolIndexer interface {
	symbolIndex() (byName map[string][]Symbol, funcs []string)
}

// indexSymbols maps names to symbols and lists the function names, sorted.
func indexSymbols(syms []Symbol) (map[string][]Symbol, []string) {
	byName := make(map[string][]Symbol, len(syms))
	var funcs []string
	for _, s := range syms {
		byName[s.Name] = append(byName[s.Name], s)
		if s.Func {
			funcs = append(funcs, s.Name)
		}
	}
	sort.Strings(funcs)
	return byName, funcs
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
	if ss, found := syms[name]; found && ss[0].Func {
		return name, true
	}
	i := sort.SearchStrings(ki.funcs, name+".")
	var best string
	bestRank := len(optimizedSuffixes)
	for ; i < len(ki.funcs) && strings.HasPrefix(ki.funcs[i], name+"."); i++ {
		cand := ki.funcs[i]
		for r, suf := range optimizedSuffixes {
			if strings.HasPrefix(cand[len(name):], suf) && r < bestRank {
				best, bestRank = cand, r
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
	for _, s := range ki.symbols()[name] {
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

// funcHint suggests function names near name, from kallsyms and, when the
// kernel lists no symbols, from BTF.
func (ki *kinfo) funcHint(name string) string {
	ki.symbols()
	names := ki.funcs
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
	ss := ki.symbols()[name]
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
