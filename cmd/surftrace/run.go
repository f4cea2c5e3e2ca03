package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/runtime"
)

// Exit statuses.
const (
	exitOK      = 0
	exitRuntime = 1 // loading, attaching or running failed
	exitUsage   = 2 // bad flags or a source that does not compile
)

// run is surftrace's main: it parses args, compiles, loads, attaches and
// runs until SIGINT, SIGTERM, SIGHUP, --duration, --max-events or exit().
func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	prog, err := parseSource(c)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	p, err := compiler.Compile(prog, &compiler.HostKernel{}, compiler.Options{Stack: c.stack})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if c.emit == "asm" {
		fmt.Fprint(stdout, compiler.Listing(p))
		return exitOK
	}
	if err := trace(c, p, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, err)
		return exitRuntime
	}
	return exitOK
}

// trace loads and attaches p, then prints its output until it is told to
// stop. Every kernel object is released on every path.
func trace(c *config, p *compiler.Program, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	t, err := runtime.Load(p, runtime.Options{Verbose: c.verbose, MaxEvents: c.maxEvents})
	if err != nil {
		return err
	}
	defer t.Close()
	if err := t.Attach(); err != nil {
		return err
	}
	if c.readyFile != "" {
		if err := os.WriteFile(c.readyFile, nil, 0o644); err != nil {
			return fmt.Errorf("ready file: %w", err)
		}
	}
	out := runtime.Output{W: stdout, Warn: stderr}
	if c.format == "json" {
		out.Format = runtime.JSON
	}
	if err := t.Run(ctx, out); err != nil {
		return err
	}
	return t.Close()
}
