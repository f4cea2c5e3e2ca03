package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/runtime/tracefs"
)

// Exit statuses.
const (
	exitOK      = 0
	exitRuntime = 1 // loading, attaching or running failed
	exitUsage   = 2 // bad flags or input, or a source that does not compile
)

// exitError carries an exit status other than exitRuntime.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// badInput makes err exit with exitUsage.
func badInput(err error) error { return &exitError{exitUsage, err} }

// run is surftrace's main: it parses args, compiles, loads, attaches and
// runs until SIGINT, SIGTERM, SIGHUP, --duration, --max-events, the end of
// -c CMD or -p PID, or exit().
func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp) && c.program == "" && (c.sub == "run" || c.sub == "" && len(c.args) > 0 && isScript(c.args[0])) && len(c.args) > 0:
		if err := describeScript(c, stdout); err != nil {
			fmt.Fprintln(stderr, "surftrace:", err)
			return exitUsage
		}
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout)
		return exitOK
	case err != nil:
		return exitUsage
	}
	c.notes = stderr
	if c.quiet {
		c.notes = io.Discard
	}
	err = c.params.explain(dispatch(c, stdout, stderr))
	if err == nil {
		return exitOK
	}
	if _, ok := lang.AsError(err); ok {
		fmt.Fprintln(stderr, err)
	} else {
		fmt.Fprintln(stderr, "surftrace:", err)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ae *runtime.AttachError // positioned, but the kernel refused
	if _, ok := lang.AsError(err); ok && !errors.As(err, &ae) {
		return exitUsage
	}
	return exitRuntime
}

// dispatch does what c asks.
func dispatch(c *config, stdout, stderr io.Writer) error {
	switch {
	case c.version:
		fmt.Fprintln(stdout, "surftrace", version())
		return nil
	case c.runList:
		return listStdlib(stdout)
	case c.sub == "repl":
		return runREPL(c, os.Stdin, stdout, stderr)
	case c.list:
		glob := ""
		if len(c.args) == 1 {
			glob = c.args[0]
		}
		if ok, err := listUser(glob, c.pid, false, stdout); ok {
			return err
		}
		return listProbes(glob, stdout, c.notes)
	case c.listV:
		if ok, err := listUser(c.args[0], c.pid, true, stdout); ok {
			return err
		}
		return describe(c, c.args[0], stdout)
	}
	prog, err := parseSource(c)
	if err != nil {
		return badInput(err)
	}
	if c.emit == "ast" {
		fmt.Fprintln(stdout, lang.Dump(prog))
		return nil
	}
	if c.show || c.output != "" || c.emit == "ftrace" {
		return showFtrace(c, prog, stdout)
	}
	k, err := targetKernel(c)
	if err != nil {
		return badInput(err)
	}
	if c.emit == "asm" {
		p, err := compiler.Compile(prog, k, compiler.Options{Stack: c.stack, Unsafe: c.unsafe, PID: c.pid, HelperCheck: c.helpers,
			MaxPrograms: envInt("BPFTRACE_MAX_BPF_PROGS"), SkipUnknownFuncs: c.bpftrace})
		if err != nil {
			return badInput(err)
		}
		fmt.Fprint(stdout, compiler.Listing(p))
		return nil
	}
	w, err := newWatch(c)
	if err != nil {
		return badInput(err)
	}
	return trace(c, prog, k, w, stdout, stderr)
}

// showFtrace prints (-S, --emit ftrace) or writes (-o) the kprobe_events
// form of prog; nothing is attached and no privilege is needed.
func showFtrace(c *config, prog *lang.Program, stdout io.Writer) error {
	k, err := targetKernel(c)
	if err != nil {
		return badInput(err)
	}
	f, err := compiler.CompileFtrace(prog, k, compiler.Options{Stack: c.stack})
	if err != nil {
		return badInput(err)
	}
	if c.output != "" {
		if err := os.WriteFile(c.output, []byte(tracefs.Script(f)), 0o755); err != nil {
			return badInput(fmt.Errorf("-o: %w", err))
		}
		return nil
	}
	fmt.Fprint(stdout, tracefs.ShowText(f))
	return nil
}

// stamp is set at link time by `make build` (-X main.stamp=...).
var stamp string

// version is the version stamped by the build, else the module version
// the binary was built from.
func version() string {
	if stamp != "" {
		return stamp
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
