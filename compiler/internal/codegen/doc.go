// Package codegen generates eBPF instructions for the compiler: a Builder
// emits code on virtual registers, computing each Node (constants, context
// and kernel memory reads, arithmetic, helper results) once per program;
// Finish allocates the virtual registers onto r6..r9 and stack slots
// (regalloc.go), lowers them to machine registers with spills and reloads
// and resolves jumps to labels (lower.go). It knows nothing of the
// surftrace language: the compiler's line and script generators drive it.
package codegen
