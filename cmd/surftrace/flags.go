package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// config is the parsed command line.
type config struct {
	program   string // -e
	file      string // -f: a file of expression lines
	stack     bool   // -s
	show      bool   // -S
	output    string // -o: write a bash script instead of running
	arch      string // -a, --arch
	btfFile   string // --btf
	backend   string // --backend: auto, bpf or ftrace
	list      bool   // -l [GLOB]
	listV     bool   // -lv PROBE
	pid       int    // -p
	command   string // -c
	verbose   bool   // -v
	quiet     bool   // -q
	version   bool   // --version
	emit      string // --emit: "", ast, asm or ftrace
	format    string // --format: text or json
	duration  time.Duration
	maxEvents int
	readyFile string
	pcapFile  string   // --pcap: pcapng of the packets behind skb events
	folded    string   // --folded: kernel stacks in folded form
	ringSize  byteSize // --ringbuf-size: bytes of the events ring buffer

	// Subcommands: "run" (a stdlib script) or "repl".
	sub     string
	runList bool // run --list

	args []string // expression lines, or a script file and its arguments
}

// usageLine is printed under every usage error.
const usageLine = `usage: surftrace [flags] 'EXPR' ...
       surftrace [flags] -e PROGRAM
       surftrace [flags] FILE.st [ARGS...]
       surftrace [flags] -f FILE
       surftrace [flags] run NAME [ARGS...] | run --list
       surftrace repl
       surftrace -l [GLOB] | -lv PROBE | -lv 'struct NAME'`

// newFlagSet defines every flag on c.
func newFlagSet(c *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("surftrace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.program, "e", "", "run the .st `PROGRAM` given on the command line")
	fs.StringVar(&c.file, "f", "", "read expression lines from `FILE`, one per line (as surftrace; for JSON use --format json)")
	fs.BoolVar(&c.stack, "s", false, "print the kernel stack under every trace line")
	fs.BoolVar(&c.show, "S", false, "print the kprobe_events and filter text, attach nothing (no root needed)")
	fs.StringVar(&c.output, "o", "", "write a standalone bash `FILE` that runs the lines through tracefs")
	fs.StringVar(&c.arch, "a", "", "target `ARCH` for -S and -o: x86_64 or arm64")
	fs.StringVar(&c.arch, "arch", "", "same as -a")
	fs.StringVar(&c.btfFile, "btf", "", "read types from `FILE` (raw BTF or an ELF vmlinux with .BTF) instead of this kernel")
	fs.StringVar(&c.backend, "backend", "auto", "`BACKEND`: auto, bpf or ftrace")
	fs.BoolVar(&c.list, "l", false, "list probes (kprobes, tracepoints, fentry targets, stdlib scripts) matching an optional GLOB")
	fs.BoolVar(&c.listV, "lv", false, "describe PROBE's arguments or fields, or 'struct NAME' with offsets")
	fs.IntVar(&c.pid, "p", 0, "stop when process `PID` exits")
	fs.StringVar(&c.command, "c", "", "run `CMD` once every probe is attached, stop when it exits")
	fs.BoolVar(&c.verbose, "v", false, "verbose: the whole verifier log, the backend choice")
	fs.BoolVar(&c.quiet, "q", false, "quiet: no notes on stderr")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.StringVar(&c.emit, "emit", "", "print the compiled `FORM` instead of running: ast, asm or ftrace")
	fs.StringVar(&c.format, "format", "text", "output `FORMAT`: text or json")
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long (e.g. 10s)")
	fs.IntVar(&c.maxEvents, "max-events", 0, "stop after printing `N` events")
	fs.StringVar(&c.readyFile, "ready-file", "", "create `FILE` once every probe is attached")
	fs.StringVar(&c.pcapFile, "pcap", "", "write the packets behind skb events to `FILE` as pcapng (bpf backend)")
	fs.Var(&c.ringSize, "ringbuf-size", "`SIZE` of the events ring buffer, a power of two such as 8M (bpf backend; default 8M)")
	fs.StringVar(&c.folded, "folded", "", "write the kernel stacks to `FILE` in folded form for flame graphs; implies -s (bpf backend)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// errUsage marks errors that were already printed with the usage.
var errUsage = errors.New("usage")

// parseFlags parses args. Flags may come before, between or after the
// expression lines, as users of surftrace write them; after a script file
// or `run NAME` every word is the script's argument.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := newFlagSet(c, stderr)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage // flag already printed the line and the usage
		}
		if fs.NArg() == 0 {
			break
		}
		arg := fs.Arg(0)
		switch {
		case len(c.args) == 0 && c.sub == "" && (arg == "run" || arg == "repl"):
			c.sub = arg
			if arg == "run" && fs.NArg() > 1 && (fs.Arg(1) == "--list" || fs.Arg(1) == "-list") {
				c.runList = true
				args = fs.Args()[2:]
				continue
			}
		case c.sub == "run" || (len(c.args) > 0 && isScript(c.args[0])):
			// A script's own arguments, flags included, are its own.
			c.args = append(c.args, fs.Args()...)
			args = nil
			continue
		default:
			c.args = append(c.args, arg)
		}
		args = fs.Args()[1:]
	}
	if err := c.check(fs); err != nil {
		return nil, err
	}
	return c, nil
}

// isScript reports whether arg names a .st file.
func isScript(arg string) bool { return strings.HasSuffix(arg, ".st") }

// check rejects combinations that cannot be meant.
func (c *config) check(fs *flag.FlagSet) error {
	sources := 0
	for _, set := range []bool{c.program != "", c.file != "", c.sub == "run" && !c.runList, len(c.args) > 0 && c.sub == ""} {
		if set {
			sources++
		}
	}
	modes := 0
	for _, set := range []bool{c.show, c.output != "", c.emit != "", c.list, c.listV} {
		if set {
			modes++
		}
	}
	switch {
	case c.version || c.runList:
		return nil
	case c.emit != "" && c.emit != "ast" && c.emit != "asm" && c.emit != "ftrace":
		return usageError(fs, "--emit takes ast, asm or ftrace, not %q", c.emit)
	case c.format != "text" && c.format != "json":
		return usageError(fs, "--format takes text or json, not %q", c.format)
	case c.backend != "auto" && c.backend != "bpf" && c.backend != "ftrace":
		return usageError(fs, "--backend takes auto, bpf or ftrace, not %q", c.backend)
	case c.arch != "" && c.arch != "x86_64" && c.arch != "arm64":
		return usageError(fs, "--arch takes x86_64 or arm64, not %q", c.arch)
	case modes > 1:
		return usageError(fs, "-S, -o, --emit, -l and -lv cannot be combined")
	case c.list || c.listV:
		if sources > 0 && !(len(c.args) > 0 && c.sub == "") {
			return usageError(fs, "-l and -lv take a GLOB or PROBE, not a program")
		}
		if c.listV && len(c.args) != 1 {
			return usageError(fs, "-lv takes one PROBE or 'struct NAME'")
		}
		if c.list && len(c.args) > 1 {
			return usageError(fs, "-l takes at most one GLOB")
		}
		return nil
	case c.sub == "repl":
		if sources > 0 || len(c.args) > 0 {
			return usageError(fs, "repl takes no program")
		}
		return nil
	case c.sub == "run" && len(c.args) == 0:
		return usageError(fs, "run needs a script NAME (surftrace run --list shows them)")
	case sources > 1:
		return usageError(fs, "-e PROGRAM, -f FILE, run NAME and expression lines or a script cannot be mixed")
	case sources == 0:
		return usageError(fs, "nothing to trace")
	case c.maxEvents < 0 || c.duration < 0:
		return usageError(fs, "--max-events and --duration cannot be negative")
	case c.pid < 0:
		return usageError(fs, "-p takes a process id, not %d", c.pid)
	case c.pid != 0 && c.command != "":
		return usageError(fs, "-p PID and -c CMD cannot be combined")
	case (c.arch != "" || c.btfFile != "") && !c.show && c.output == "" && c.emit == "":
		return usageError(fs, "--arch and --btf describe another machine: use them with -S, -o or --emit")
	case (c.show || c.output != "" || c.emit == "ftrace") && c.backend == "bpf":
		return usageError(fs, "-S, -o and --emit ftrace show the ftrace backend's text; --backend bpf contradicts them")
	}
	return nil
}

// usageError prints the message and the usage, and returns errUsage.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "surftrace: %s\n", fmt.Sprintf(format, args...))
	fs.Usage()
	return errUsage
}
