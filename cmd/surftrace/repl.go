package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/surftrace/surftrace/cmd/surftrace/repl"
	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/runtime"
)

// runREPL runs the interactive shell until Ctrl-D, SIGTERM or SIGHUP; its
// line editor handles Ctrl-C itself. History lives in
// ~/.surftrace_history.
func runREPL(c *config, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	k, err := targetKernel(c)
	if err != nil {
		return badInput(err)
	}
	cfg := repl.Config{In: stdin, Out: stdout, Err: stderr, Kernel: k,
		Compile: compiler.Options{Stack: c.stack}}
	if home, err := os.UserHomeDir(); err == nil {
		cfg.HistoryFile = filepath.Join(home, ".surftrace_history")
	}
	if c.format == "json" {
		cfg.Format = runtime.JSON
	}
	return repl.Run(ctx, cfg)
}
