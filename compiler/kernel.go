package compiler

import "github.com/cilium/ebpf/btf"

// Kernel is what the compiler needs to know about the kernel it compiles
// for. The host implementation (HostKernel) reads the running kernel's
// files lazily; StaticKernel serves tests and cross-compilation from values
// given up front. Implementations must be safe to call from one goroutine;
// the compiler never calls them concurrently.
type Kernel interface {
	// Arch is "x86_64" or "arm64"; it selects the register table.
	Arch() string
	// BTF returns the types of vmlinux.
	BTF() (*btf.Spec, error)
	// ModuleBTF returns the types of a loaded module (split BTF on top of
	// vmlinux), or an error wrapping fs.ErrNotExist.
	ModuleBTF(module string) (*btf.Spec, error)
	// TracepointFormat returns the text of events/SUBSYS/EVENT/format, or
	// an error wrapping fs.ErrNotExist when there is no such event.
	TracepointFormat(subsys, event string) (string, error)
	// Symbols returns the kernel's symbols (as /proc/kallsyms lists them),
	// in file order.
	Symbols() ([]Symbol, error)
}

// Symbol is one kernel symbol.
type Symbol struct {
	Name   string
	Addr   uint64
	Func   bool   // a text symbol (t or T)
	Module string // "" for vmlinux
}
