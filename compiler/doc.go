// Package compiler turns a lang.Program into deterministic blueprints: eBPF
// program and map specs (Program) for the bpf backend, and kprobe_events
// text for the ftrace backend. It types every expression from BTF and
// tracepoint format files read through the kernel.Kernel interface, so
// tests can feed it any BTF; it never creates kernel objects. The runtime
// package turns its output into kernel state.
package compiler
