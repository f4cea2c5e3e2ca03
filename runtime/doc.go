// Package runtime turns a spec.Program into kernel state and output:
// it creates the maps and programs (Load), attaches every probe (Attach),
// reads the ring buffer and prints each record (Run) — trace lines in
// ftrace's trace_pipe shape, printf text, and script maps in bpftrace's
// layout, as text or JSON lines — and releases every kernel object it
// created (Close).
//
// The package imports compiler, lang and cilium/ebpf; only cmd/surftrace
// imports it. Everything it prints goes to the io.Writer in Output.
package runtime
