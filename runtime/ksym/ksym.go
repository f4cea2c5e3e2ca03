// Package ksym resolves kernel addresses to symbols from /proc/kallsyms,
// for both backends: the bpf backend's stacks, ksym() and kretprobe
// callers, and the ftrace backend's, which reads raw addresses out of the
// ring buffer.
package ksym

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Sym is one kernel symbol from /proc/kallsyms.
type Sym struct {
	Addr   uint64
	Name   string
	Module string // "" for the kernel image
}

// Table resolves kernel addresses to the nearest preceding symbol.
type Table struct {
	syms []Sym // sorted by Addr
}

// Parse reads /proc/kallsyms text ("ADDR TYPE NAME\t[MODULE]").
// Symbols at address zero (addresses hidden by kptr_restrict) are dropped.
func Parse(r io.Reader) (*Table, error) {
	var syms []Sym
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		addr, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil {
			return nil, fmt.Errorf("kallsyms: bad address %q", fields[0])
		}
		if addr == 0 {
			continue
		}
		s := Sym{Addr: addr, Name: fields[2]}
		if len(fields) > 3 {
			s.Module = strings.Trim(fields[3], "[]")
		}
		syms = append(syms, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kallsyms: %w", err)
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].Addr < syms[j].Addr })
	return &Table{syms: syms}, nil
}

// Len is the number of symbols with an address.
func (k *Table) Len() int { return len(k.syms) }

// Lookup returns the symbol at or before addr and addr's offset from it.
func (k *Table) Lookup(addr uint64) (Sym, uint64, bool) {
	i := sort.Search(len(k.syms), func(i int) bool { return k.syms[i].Addr > addr })
	if i == 0 {
		return Sym{}, 0, false
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
