package runtime

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// ksym is one kernel symbol from /proc/kallsyms.
type ksym struct {
	addr   uint64
	name   string
	module string // "" for the kernel image
}

// kallsyms resolves kernel addresses to the nearest preceding symbol.
type kallsyms struct {
	syms []ksym // sorted by addr
}

// parseKallsyms reads /proc/kallsyms text ("ADDR TYPE NAME\t[MODULE]").
// Symbols at address zero (addresses hidden by kptr_restrict) are dropped.
func parseKallsyms(r io.Reader) (*kallsyms, error) {
	var syms []ksym
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
		s := ksym{addr: addr, name: fields[2]}
		if len(fields) > 3 {
			s.module = strings.Trim(fields[3], "[]")
		}
		syms = append(syms, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kallsyms: %w", err)
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	return &kallsyms{syms: syms}, nil
}

// lookup returns the symbol at or before addr and addr's offset from it.
func (k *kallsyms) lookup(addr uint64) (ksym, uint64, bool) {
	i := sort.Search(len(k.syms), func(i int) bool { return k.syms[i].addr > addr })
	if i == 0 {
		return ksym{}, 0, false
	}
	s := k.syms[i-1]
	return s, addr - s.addr, true
}

// symbolize renders addr as "name+0xoff", or as 0x... when no symbol
// precedes it.
func (k *kallsyms) symbolize(addr uint64) string {
	s, off, ok := k.lookup(addr)
	if !ok {
		return fmt.Sprintf("0x%x", addr)
	}
	return fmt.Sprintf("%s+0x%x", s.name, off)
}

// name renders addr as bpftrace's ksym() does: the bare name of the
// symbol holding it, or 0x... when none does.
func (k *kallsyms) name(addr uint64) string {
	s, _, ok := k.lookup(addr)
	if !ok {
		return fmt.Sprintf("0x%x", addr)
	}
	return s.name
}

// frame renders addr as a stack frame: "name+0xoff", followed by
// " [module]" for symbols of loadable modules.
func (k *kallsyms) frame(addr uint64) string {
	s, _, ok := k.lookup(addr)
	text := k.symbolize(addr)
	if ok && s.module != "" {
		text += " [" + s.module + "]"
	}
	return text
}
