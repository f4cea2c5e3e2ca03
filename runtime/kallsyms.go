package runtime

import (
	"fmt"
	"sort"

	"github.com/surftrace/surftrace/kernel"
)

// kallsyms resolves kernel addresses to the nearest preceding symbol.
type kallsyms struct {
	syms []kernel.Symbol // sorted by Addr
}

// newKallsyms indexes /proc/kallsyms text (parsed by kernel.ParseKallsyms,
// which skips lines it cannot read) by address. Symbols at address zero
// (addresses hidden by kptr_restrict) are dropped.
func newKallsyms(text string) *kallsyms {
	var syms []kernel.Symbol
	for _, s := range kernel.ParseKallsyms(text) {
		if s.Addr != 0 {
			syms = append(syms, s)
		}
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].Addr < syms[j].Addr })
	return &kallsyms{syms: syms}
}

// lookup returns the symbol at or before addr and addr's offset from it.
func (k *kallsyms) lookup(addr uint64) (kernel.Symbol, uint64, bool) {
	i := sort.Search(len(k.syms), func(i int) bool { return k.syms[i].Addr > addr })
	if i == 0 {
		return kernel.Symbol{}, 0, false
	}
	s := k.syms[i-1]
	return s, addr - s.Addr, true
}

// symbolize renders addr as "name+0xoff", or as 0x... when no symbol
// precedes it.
func (k *kallsyms) symbolize(addr uint64) string {
	s, off, ok := k.lookup(addr)
	if !ok {
		return fmt.Sprintf("0x%x", addr)
	}
	return fmt.Sprintf("%s+0x%x", s.Name, off)
}

// name renders addr as bpftrace's ksym() does: the bare name of the
// symbol holding it, or 0x... when none does.
func (k *kallsyms) name(addr uint64) string {
	s, _, ok := k.lookup(addr)
	if !ok {
		return fmt.Sprintf("0x%x", addr)
	}
	return s.Name
}

// frame renders addr as a stack frame: "name+0xoff", followed by
// " [module]" for symbols of loadable modules.
func (k *kallsyms) frame(addr uint64) string {
	s, _, ok := k.lookup(addr)
	text := k.symbolize(addr)
	if ok && s.Module != "" {
		text += " [" + s.Module + "]"
	}
	return text
}
