package compiler

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
)

// The checkers stop at an error by panicking with a *lang.Error (fail,
// failHint); the functions below, deferred, are the only places that
// recover.

// catch, deferred, turns the panic of fail or failHint into *err, so that
// the caller can go on with the next line or probe. Any other panic is a
// bug in the compiler and goes on to the API boundary (catchInternal).
func catch(err **lang.Error) {
	if r := recover(); r != nil {
		e, ok := r.(*lang.Error)
		if !ok {
			panic(r)
		}
		*err = e
	}
}

// catchInternal, deferred at the API boundary (Compile, CompileFtrace),
// turns any panic into *err: a positioned error, a size limit and a kernel
// BTF that fails to load as they are, anything else (a bug in the compiler) into an internal error with
// its stack, never a crash of the program using the compiler.
func catchInternal(err *error) {
	if r := recover(); r != nil {
		switch e := r.(type) {
		case *lang.Error:
			*err = e
		case btfError:
			*err = e
		case error:
			if errors.Is(e, codegen.ErrTooComplex) {
				*err = e
				return
			}
			*err = fmt.Errorf("internal error: %v\n%s", e, debug.Stack())
		default:
			*err = fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
		}
	}
}
