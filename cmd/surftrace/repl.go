package main

import (
	"errors"
	"io"
)

// repl starts the interactive shell. It is written in package
// cmd/surftrace/repl; until that lands, `surftrace repl` says so.
func repl(c *config, stdout, stderr io.Writer) error {
	return errors.New("surftrace repl: this build has no REPL yet")
}
