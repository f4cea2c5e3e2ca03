package main

import (
	"flag"
	"fmt"
	"io"
	"time"
)

// config is the parsed command line.
type config struct {
	program   string // -e
	stack     bool   // -s
	verbose   bool   // -v
	emit      string // --emit: "" or "asm"
	format    string // --format: text or json
	duration  time.Duration
	maxEvents int
	readyFile string
	args      []string // expression lines, or one script file
}

// parseFlags parses args. Flags may come before, between or after the
// expression lines, as users of surftrace write them.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("surftrace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.program, "e", "", "run the .st `PROGRAM` given on the command line")
	fs.BoolVar(&c.stack, "s", false, "print the kernel stack under every trace line")
	fs.BoolVar(&c.verbose, "v", false, "show the whole verifier log when a probe is rejected")
	fs.StringVar(&c.emit, "emit", "", "print the compiled `asm` listing instead of running")
	fs.StringVar(&c.format, "format", "text", "output `format`: text or json")
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long (e.g. 10s)")
	fs.IntVar(&c.maxEvents, "max-events", 0, "stop after printing `N` events")
	fs.StringVar(&c.readyFile, "ready-file", "", "create `FILE` once every probe is attached")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: surftrace [flags] 'EXPR' ... | -e PROGRAM | FILE.st")
		fs.PrintDefaults()
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		c.args = append(c.args, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case c.emit != "" && c.emit != "asm":
		return nil, usageError(fs, "--emit takes asm, not %q", c.emit)
	case c.format != "text" && c.format != "json":
		return nil, usageError(fs, "--format takes text or json, not %q", c.format)
	case c.program != "" && len(c.args) > 0:
		return nil, usageError(fs, "-e PROGRAM and expression lines or a script cannot be mixed")
	case c.program == "" && len(c.args) == 0:
		return nil, usageError(fs, "nothing to trace")
	case c.maxEvents < 0 || c.duration < 0:
		return nil, usageError(fs, "--max-events and --duration cannot be negative")
	}
	return c, nil
}

// usageError prints the message and the usage, and returns the message.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintf(fs.Output(), "surftrace: %v\n", err)
	fs.Usage()
	return err
}
