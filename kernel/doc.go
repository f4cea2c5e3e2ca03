// Package kernel describes a kernel to the stages that need its metadata:
// its BTF types, symbols (kallsyms), tracepoint formats and lists, and the
// on-disk cache of what is slow to find out. The compiler reads it to type
// and resolve probes, the runtime to symbolize addresses, the REPL to
// complete names.
//
// Kernel is the interface every description implements; Host is the
// running kernel, Static one given by values (tests, --btf FILE). The
// optional abilities (TracepointLister, FunctionLister, SymbolIndexer,
// StructIndexer) are interfaces of their own. The package imports no other
// surftrace package and never writes to the kernel: it only reads files.
package kernel
