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
	program   string // -e, or the program file's text (bpftrace personality)
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
	format    string // --format (or -f json|text): text or json
	unsafe    bool   // --unsafe: allow signal() and the like
	helpers   int    // bpftrace's -k (1) and -kk (2): warn when a helper fails
	duration  time.Duration
	maxEvents int
	readyFile string
	pcapFile  string   // --pcap: pcapng of the packets behind skb events
	folded    string   // --folded: kernel stacks in folded form
	ringSize  byteSize // --ringbuf-size: bytes of the events ring buffer
	fleet     fleetConfig

	// Subcommands: "run" (a stdlib script) or "repl".
	sub     string
	runList bool // run --list

	// args are the words that are not flags: expression lines, a script
	// file and its positional parameters, -e's positional parameters, or
	// the name of a `run` script and its positional parameters; a
	// script's own --name=VALUE parameters (getopt) are among them.
	args []string

	// The bpftrace personality (bpftrace.go) sets these.
	bpftrace       bool      // invoked as bpftrace
	programName    string    // the source name of program: "stdin" or the file
	banner         bool      // print "Attaching N probes..." once attached
	notifyAttached bool      // print __BPFTRACE_NOTIFY_PROBES_ATTACHED on stderr once attached
	includeDirs    []string  // -I: where #include looks first
	includeFiles   []string  // --include: headers read before the program
	cmdOut         io.Writer // the -c command's stdout, when not the output (-o FILE, -B full)
	gap            io.Writer // where the empty lines before the exit maps go (runtime.Output.Gap)
	// params are the running script's named parameters, set when its
	// source is parsed.
	params *scriptParams

	// notes receives notes for the user (stderr, or nothing with -q),
	// such as that tracefs was mounted; run sets it.
	notes io.Writer
}

// usageLine starts --help.
const usageLine = `usage: surftrace [flags] 'EXPR' ...
       surftrace [flags] -e PROGRAM [ARGS...]
       surftrace [flags] FILE.st [ARGS...]
       surftrace [flags] -f FILE
       surftrace [flags] run NAME [ARGS...] | run --list
       surftrace repl
       surftrace -l [GLOB] | -lv PROBE | -lv 'struct NAME'`

// newFlagSet defines every flag on c. It prints nothing itself: parseFlags
// reports errors in one line, and --help prints the usage.
func newFlagSet(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("surftrace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.program, "e", "", "run the .st `PROGRAM` given on the command line")
	fs.Func("f", "read expression lines from `FILE`, one per line; -f json and -f text pick the output format as --format does (a file named json: -f ./json)", func(v string) error {
		if v == "json" || v == "text" {
			c.format = v
			return nil
		}
		c.file = v
		return nil
	})
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
	fs.BoolVar(&c.unsafe, "unsafe", false, "allow the script functions that act on the system, such as signal()")
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long (e.g. 10s)")
	fs.IntVar(&c.maxEvents, "max-events", 0, "stop after printing `N` events")
	fs.StringVar(&c.readyFile, "ready-file", "", "create `FILE` once every probe is attached")
	fs.StringVar(&c.pcapFile, "pcap", "", "write the packets behind skb events to `FILE` as pcapng (bpf backend)")
	fs.Var(&c.ringSize, "ringbuf-size", "`SIZE` of the events ring buffer, a power of two such as 8M (bpf backend; default 8M)")
	fs.StringVar(&c.folded, "folded", "", "write the kernel stacks to `FILE` in folded form for flame graphs; implies -s (bpf backend)")
	addFleetFlags(fs, &c.fleet)
	return fs
}

// printUsage prints --help: the invocation forms and every flag.
func printUsage(w io.Writer) {
	fs := newFlagSet(&config{})
	fs.SetOutput(w)
	fmt.Fprintln(w, usageLine)
	fs.PrintDefaults()
}

// errUsage marks errors that were already printed.
var errUsage = errors.New("usage")

// parseFlags parses args. Flags may come before, between or after the
// other words, as users of surftrace write them around expression lines
// and bpftrace users after a script or -e PROGRAM and its positional
// parameters (`surftrace -e 'BEGIN { ... $1 ... }' 7 9`); after "--"
// every word is a word. After a script, a flag surftrace does not define
// is the script's named parameter (`run drop --port 53`). -h and --help return flag.ErrHelp with what was
// parsed before them, so that `run NAME --help` can describe NAME.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := newFlagSet(c)
	for len(args) > 0 {
		err := fs.Parse(args)
		rest := fs.Args()
		switch {
		case errors.Is(err, flag.ErrHelp):
			return c, err
		case err != nil && c.scripted() && scriptFlag(fs, args[len(args)-len(rest)-1]):
			// A flag surftrace does not have, after a script: the
			// script's own --name=VALUE (getopt), which it checks.
			c.args = append(c.args, args[len(args)-len(rest)-1])
			args = rest
			continue
		case err != nil:
			return nil, usageError(stderr, "%v", err)
		}
		if len(rest) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			c.args = append(c.args, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		arg := rest[0]
		switch {
		case len(c.args) == 0 && c.sub == "" && c.program == "" && (arg == "run" || arg == "repl"):
			c.sub = arg
			if arg == "run" && len(rest) > 1 && (rest[1] == "--list" || rest[1] == "-list") {
				c.runList = true
				rest = rest[1:]
			}
		default:
			c.args = append(c.args, arg)
		}
		args = rest[1:]
	}
	if err := c.check(stderr); err != nil {
		return nil, err
	}
	if msg := c.fleet.problem(c); msg != "" {
		return nil, usageError(stderr, "%s", msg)
	}
	return c, nil
}

// scripted reports whether the words so far name a script: -e PROGRAM,
// run NAME or a .st file.
func (c *config) scripted() bool {
	return c.program != "" || len(c.args) > 0 && (c.sub == "run" || c.sub == "" && isScript(c.args[0]))
}

// scriptFlag reports whether word is a flag (-name, --name or
// --name=VALUE) that fs does not define, nor -h or --help.
func scriptFlag(fs *flag.FlagSet, word string) bool {
	name, ok := strings.CutPrefix(word, "-")
	if !ok || name == "" || name == "-" {
		return false
	}
	name, _, _ = strings.Cut(strings.TrimPrefix(name, "-"), "=")
	return name != "h" && name != "help" && fs.Lookup(name) == nil
}

// isScript reports whether arg names a .st file.
func isScript(arg string) bool { return strings.HasSuffix(arg, ".st") }

// check rejects combinations that cannot be meant.
func (c *config) check(stderr io.Writer) error {
	sources := 0
	words := len(c.args) > 0 && c.sub == "" && c.program == "" // lines or a script, not -e's parameters
	for _, set := range []bool{c.program != "", c.file != "", c.sub == "run" && !c.runList, words} {
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
		return usageError(stderr, "--emit takes ast, asm or ftrace, not %q", c.emit)
	case c.format != "text" && c.format != "json":
		return usageError(stderr, "--format takes text or json, not %q", c.format)
	case c.backend != "auto" && c.backend != "bpf" && c.backend != "ftrace":
		return usageError(stderr, "--backend takes auto, bpf or ftrace, not %q", c.backend)
	case c.arch != "" && c.arch != "x86_64" && c.arch != "arm64":
		return usageError(stderr, "--arch takes x86_64 or arm64, not %q", c.arch)
	case modes > 1:
		return usageError(stderr, "-S, -o, --emit, -l and -lv cannot be combined")
	case c.list || c.listV:
		if sources > 0 && !words {
			return usageError(stderr, "-l and -lv take a GLOB or PROBE, not a program")
		}
		if c.listV && len(c.args) != 1 {
			return usageError(stderr, "-lv takes one PROBE or 'struct NAME'")
		}
		if c.list && len(c.args) > 1 {
			return usageError(stderr, "-l takes at most one GLOB")
		}
		return nil
	case c.sub == "repl":
		if sources > 0 || len(c.args) > 0 {
			return usageError(stderr, "repl takes no program")
		}
		return nil
	case c.sub == "run" && len(c.args) == 0:
		return usageError(stderr, "run needs a script NAME (surftrace run --list shows them)")
	case sources > 1:
		return usageError(stderr, "-e PROGRAM, -f FILE, run NAME and expression lines or a script cannot be mixed")
	case sources == 0:
		return usageError(stderr, "nothing to trace")
	case c.maxEvents < 0 || c.duration < 0:
		return usageError(stderr, "--max-events and --duration cannot be negative")
	case c.pid < 0:
		return usageError(stderr, "-p takes a process id, not %d", c.pid)
	case c.pid != 0 && c.command != "":
		return usageError(stderr, "-p PID and -c CMD cannot be combined")
	case (c.arch != "" || c.btfFile != "") && !c.show && c.output == "" && c.emit == "":
		return usageError(stderr, "--arch and --btf describe another machine: use them with -S, -o or --emit")
	case (c.show || c.output != "" || c.emit == "ftrace") && c.backend == "bpf":
		return usageError(stderr, "-S, -o and --emit ftrace show the ftrace backend's text; --backend bpf contradicts them")
	}
	return nil
}

// usageError prints the message in one line that points to --help, and
// returns errUsage.
func usageError(stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "surftrace: %s (surftrace --help shows the usage)\n", fmt.Sprintf(format, args...))
	return errUsage
}
