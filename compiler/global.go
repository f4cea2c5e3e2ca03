package compiler

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// A kernel global in an expression line, as surftrace defines it: @name
// and @0xADDR are the value stored at the global (kprobe_events' own
// @SYM fetch), so a cast applies to that value —
// !(struct kmem_cache *)@task_group_cache->name reads the cache the
// pointer task_group_cache holds. The value is typed from the variable's
// BTF VAR where vmlinux describes it, else it is an unsigned 64-bit word
// (globalWord), printed in hex as an untyped kprobe_events fetch is.

// globalWord is the type of a global BTF does not describe. It is its own
// value so that such a global prints in hex (defaultRender) and its ftrace
// fetch leaves the type out, as surftrace wrote it (bareGlobal).
var globalWord = &btf.Int{Name: "unsigned long", Size: 8}

// symText is the @ fetch of global s plus off: "@name", "@name+0x18",
// "@0xffffffff8647bc30".
func symText(s *codegen.Sym, off int64) string {
	if s.Name == "" {
		return fmt.Sprintf("@%#x", s.Addr+uint64(off))
	}
	switch {
	case off > 0:
		return fmt.Sprintf("@%s+%#x", s.Name, off)
	case off < 0:
		return fmt.Sprintf("@%s-%#x", s.Name, -off)
	}
	return "@" + s.Name
}

// symbol types @name and @0xADDR: the value stored at the global.
func (c *lineChecker) symbol(e *lang.SymRef) *value {
	name, addr := e.Name, e.Addr
	if name == "" {
		// @0xADDR: typed when a described variable starts there.
		t, ok := c.ki.globalAt(addr)
		if !ok {
			t = globalWord
		}
		return globalValue(&codegen.Sym{Addr: addr}, t)
	}
	ss := c.ki.globalSymbols(name)
	switch {
	case len(ss) == 0:
		failHint(e, c.ki.globalHint(name), "unknown kernel symbol %s", name)
	case len(ss) > 1:
		addrs := make([]string, len(ss))
		for i, s := range ss {
			addrs[i] = fmt.Sprintf("@%#x", s.Addr)
		}
		failHint(e, "name one by address: "+strings.Join(addrs, ", "), "%d kernel symbols are named %s", len(ss), name)
	case ss[0].Addr == 0:
		fail(e, "the address of %s is hidden (kptr_restrict); run as root", name)
	}
	t, percpu, ok := c.ki.globalType(name)
	if percpu {
		fail(e, "%s is a per-CPU variable: its symbol is an offset into each CPU's area, not an address this line can read", name)
	}
	if !ok {
		t = globalWord
	}
	return globalValue(&codegen.Sym{Name: name, Addr: ss[0].Addr}, t)
}

// globalValue is the value of type t stored at the global at.
func globalValue(at *codegen.Sym, t btf.Type) *value {
	v := &value{t: t, addr: at}
	if t == globalWord {
		v.noProto = &untypedArg{Global: symText(at, 0)}
	}
	return v
}

// bareGlobal reports whether field f reads a global directly (no
// member, cast or index), so that its fetch is "@name" alone.
func bareGlobal(f *lineField) bool {
	_, ok := f.v.addr.(*codegen.Sym)
	return ok && f.v.n == nil
}

// globalSymbols returns the symbols named name, one per address (a
// function's name counts too: kprobe_events reads its bytes as well).
func (ki *kinfo) globalSymbols(name string) []kernel.Symbol {
	var out []kernel.Symbol
	for _, s := range ki.symbols().Lookup(name) {
		if !slices.ContainsFunc(out, func(o kernel.Symbol) bool { return o.Addr == s.Addr }) {
			out = append(out, s)
		}
	}
	return out
}

// globalHint suggests data symbols near name. Kernels without
// CONFIG_KALLSYMS_ALL list almost none, which the hint says.
func (ki *kinfo) globalHint(name string) string {
	var names []string
	for _, s := range ki.symbols().All() {
		if !s.Func {
			names = append(names, s.Name)
		}
	}
	if len(names) < 1000 {
		return "this kernel's /proc/kallsyms lists few data symbols: CONFIG_KALLSYMS_ALL is off"
	}
	return lang.DidYouMean(name, names)
}

// globalType returns the BTF type of vmlinux's global variable name, and
// whether it is a per-CPU variable (in the .data..percpu section).
func (ki *kinfo) globalType(name string) (t btf.Type, percpu, ok bool) {
	if ki.vmlinux() == nil {
		return nil, false, false
	}
	var v *btf.Var
	if err := ki.vmlinux().TypeByName(name, &v); err != nil {
		return nil, false, false
	}
	var sec *btf.Datasec
	if err := ki.vmlinux().TypeByName(".data..percpu", &sec); err == nil {
		for _, vs := range sec.Vars {
			if vs.Type == v {
				return v.Type, true, true
			}
		}
	} else if !errors.Is(err, btf.ErrNotFound) {
		return nil, false, false
	}
	return v.Type, false, true
}

// globalAt types the global variable that starts at addr, if a unique
// data symbol starts there and BTF describes it.
func (ki *kinfo) globalAt(addr uint64) (btf.Type, bool) {
	var name string
	for _, s := range ki.symbols().All() {
		if s.Addr == addr && !s.Func && s.Module == "" {
			if name != "" {
				return nil, false
			}
			name = s.Name
		}
	}
	if name == "" {
		return nil, false
	}
	t, percpu, ok := ki.globalType(name)
	return t, ok && !percpu
}
