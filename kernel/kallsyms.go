package kernel

import (
	"sort"
	"strconv"
	"strings"
)

// Symbol is one kernel symbol.
type Symbol struct {
	Name   string
	Addr   uint64
	Func   bool   // a text symbol (t or T)
	Module string // "" for vmlinux
}

// ParseKallsyms parses /proc/kallsyms text, lines "ADDR TYPE NAME
// [MODULE]", in file order. A line that does not parse (fewer than three
// fields, an address that is not hex) is skipped: one odd line costs one
// symbol, not the table. The names are substrings of text: one allocation
// for the ~100k symbols of a kernel, not one per line (the parse is on
// every compile's path).
func ParseKallsyms(text string) []Symbol {
	syms := make([]Symbol, 0, strings.Count(text, "\n")+1)
	var f [4]string
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		n := 0
		for n < len(f) {
			line = strings.TrimLeft(line, " \t")
			if line == "" {
				break
			}
			end := strings.IndexAny(line, " \t")
			if end < 0 {
				end = len(line)
			}
			f[n], line = line[:end], line[end:]
			n++
		}
		if n < 3 {
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			continue
		}
		s := Symbol{Name: f[2], Addr: addr, Func: f[1] == "t" || f[1] == "T"}
		if n > 3 {
			s.Module = strings.Trim(f[3], "[]")
		}
		syms = append(syms, s)
	}
	return syms
}

// SymbolIndex finds symbols by name. A compile of a few probes looks up a
// few names: a scan of the ~100k symbols costs well under a millisecond
// each, where indexing them all costs tens; so names are scanned for
// until scanLimit lookups have been made, and then indexed. Either way
// the answers are the same. Not safe for concurrent use.
type SymbolIndex struct {
	all    []Symbol            // file order
	scans  int                 // lookups made by scanning
	byName map[string][]Symbol // nil until scanLimit scans
	funcs  []string            // function names, sorted; nil until asked
}

const scanLimit = 16

// NewSymbolIndex indexes syms (in file order); it keeps the slice.
func NewSymbolIndex(syms []Symbol) *SymbolIndex { return &SymbolIndex{all: syms} }

// All returns every symbol, in file order. The slice is shared: do not
// change it.
func (x *SymbolIndex) All() []Symbol { return x.all }

// Lookup returns the symbols named name, in file order.
func (x *SymbolIndex) Lookup(name string) []Symbol {
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

// FuncNames returns the names of the function symbols, sorted. The slice
// is shared: do not change it.
func (x *SymbolIndex) FuncNames() []string {
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

// ResolveFunc finds the symbol to attach to for the function the user
// named: the name itself, or NAME.isra.N / NAME.constprop.N / NAME.part.N
// (preferred in that order) / NAME.cold. ok is false when the kernel has
// no such function.
func (x *SymbolIndex) ResolveFunc(name string) (target string, ok bool) {
	if ss := x.Lookup(name); len(ss) > 0 && ss[0].Func {
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
	if x.funcs != nil || x.byName != nil {
		funcs := x.FuncNames()
		for i := sort.SearchStrings(funcs, name+"."); i < len(funcs) && strings.HasPrefix(funcs[i], name+"."); i++ {
			try(funcs[i])
		}
	} else {
		for _, s := range x.all {
			if s.Func && strings.HasPrefix(s.Name, name+".") {
				try(s.Name)
			}
		}
	}
	return best, best != ""
}
