// Package ksym resolves kernel addresses to symbols from /proc/kallsyms,
// for both backends: the bpf backend's stacks, ksym() and kretprobe
// callers, and the ftrace backend's, which reads raw addresses out of the
// ring buffer. The text is parsed by kernel.ParseKallsyms, the one
// kallsyms parser; this package only indexes it by address.
package ksym

import (
	"fmt"
	"sort"

	"github.com/surftrace/surftrace/kernel"
)

// Table resolves kernel addresses to the nearest preceding symbol.
type Table struct {
	syms []kernel.Symbol // sorted by Addr
}

// New indexes /proc/kallsyms text (parsed by kernel.ParseKallsyms, which
// skips lines it cannot read) by address. Symbols at address zero
// (addresses hidden by kptr_restrict) are dropped.
func New(text string) *Table {
	var syms []kernel.Symbol
	for _, s := range kernel.ParseKallsyms(text) {
		if s.Addr != 0 {
			syms = append(syms, s)
		}
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].Addr < syms[j].Addr })
	return &Table{syms: syms}
}

// Len is the number of symbols with an address.
func (k *Table) Len() int { return len(k.syms) }

// Lookup returns the symbol at or before addr and addr's offset from it.
func (k *Table) Lookup(addr uint64) (kernel.Symbol, uint64, bool) {
	i := sort.Search(len(k.syms), func(i int) bool { return k.syms[i].Addr > addr })
	if i == 0 {
		return kernel.Symbol{}, 0, false
	}
	s := k.syms[i-1]
	return s, addr - s.Addr, true
}

// Symbolize renders addr as "name+0xoff", or as 0x... when no symbol
// precedes it.
func (k *Table) Symbolize(addr uint64) string {
	s, off, ok := k.Lookup(addr)
	if !ok {
		return fmt.Sprintf("0x%x", addr)
	}
	return fmt.Sprintf("%s+0x%x", s.Name, off)
}

// Name renders addr as bpftrace's ksym() does: the bare name of the
// symbol holding it, or 0x... when none does.
func (k *Table) Name(addr uint64) string {
	s, _, ok := k.Lookup(addr)
	if !ok {
		return fmt.Sprintf("0x%x", addr)
	}
	return s.Name
}

// Frame renders addr as a stack frame: "name+0xoff", followed by
// " [module]" for symbols of loadable modules.
func (k *Table) Frame(addr uint64) string {
	s, _, ok := k.Lookup(addr)
	text := k.Symbolize(addr)
	if ok && s.Module != "" {
		text += " [" + s.Module + "]"
	}
	return text
}
