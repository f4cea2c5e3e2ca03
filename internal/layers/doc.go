// Package layers holds the test of the import rules between surftrace's
// packages (docs/ARCHITECTURE.md): the stages import one way, lang ->
// compiler -> runtime -> cmd, with kernel and spec beside them. It has no
// code of its own.
package layers
