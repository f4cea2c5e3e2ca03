package kernel

import "github.com/cilium/ebpf/btf"

// Kernel is what the compiler needs to know about the kernel it compiles
// for. The host implementation (Host) reads the running kernel's files
// lazily; Static serves tests and cross-compilation from values given up
// front. Implementations must be safe to call from one goroutine; the
// compiler never calls them concurrently.
//
// A Kernel may have optional abilities, each an interface of its own
// (TracepointLister, FunctionLister, SymbolIndexer, StructIndexer,
// EnumResolver, FuncResolver); users
// test for them with a type assertion. A type that wraps a Kernel must
// forward them explicitly, or they are lost behind it.
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

// TracepointLister is a Kernel that can list its tracepoints, for
// wildcard attach points and the seen-by suggestions.
type TracepointLister interface {
	// Tracepoints returns "subsys:event" names, sorted. The slice may be
	// shared: do not change it.
	Tracepoints() ([]string, error)
}

// FunctionLister is a Kernel that lists its BTF functions without a walk
// over every type (Host keeps the lists on disk).
type FunctionLister interface {
	// Functions lists the functions the BTF describes (the fentry
	// targets), sorted, each once. The slice is shared.
	Functions() ([]string, error)
	// SkbFunctions lists those of Functions taking a struct sk_buff *
	// parameter. The slice is shared.
	SkbFunctions() ([]string, error)
}

// SymbolIndexer is a Kernel that keeps the index of its symbols across
// compilations, so each compilation does not index them anew.
type SymbolIndexer interface {
	SymbolIndex() *SymbolIndex
}

// StructIndexer is a Kernel that keeps the struct -> tracepoints index
// (see StructIndex) of its BTF spec; the map is shared and must not be
// changed.
type StructIndexer interface {
	TracepointIndex(spec *btf.Spec) map[string][]string
}
