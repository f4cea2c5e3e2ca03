// Package lang holds what both surface forms of surftrace share: source
// positions, positioned errors with snippets, the spell helper for
// did-you-mean hints, and the abstract syntax tree that the expression-line
// parser (lang/line) and the script parser (lang/script) both produce.
//
// lang knows nothing of the kernel: no BTF, no tracefs, no syscalls. The
// compiler package is its only consumer outside the parsers.
package lang
