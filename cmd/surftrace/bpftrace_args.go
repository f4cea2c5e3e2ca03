package main

import (
	"fmt"
	"io"
	"strings"
)

// bpfArgs is bpftrace's command line, as bpftrace 0.17 reads it.
type bpfArgs struct {
	script       string // -e
	scriptSet    bool
	filename     string // the program file, or "-" for stdin
	params       []string
	format       string // -f
	output       string // -o
	pid          string // -p, checked later as bpftrace does
	command      string // -c
	buffer       string // -B: line, full or none
	list         bool   // -l
	search       string // -l's pattern
	quiet        bool   // -q
	unsafe       bool   // --unsafe
	noWarnings   bool   // --no-warnings
	verbose      int    // -v
	debug        int    // -d, -dd
	helperCheck  int    // -k, -kk
	includeDirs  []string
	includeFiles []string
	help         bool // -h, --help: print the usage and exit 0
	version      bool // -V, --version
	info         bool // --info
}

// bpfShort are bpftrace's short options; a ':' follows those that take a
// value (getopt's optstring).
const bpfShort = "dbB:f:e:hlp:vqc:Vo:I:k"

// bpfLong are bpftrace's long options and whether each takes a value.
var bpfLong = map[string]bool{
	"help": false, "version": false, "usdt-file-activation": false, "unsafe": false,
	"btf": false, "include": true, "info": false, "no-warnings": false,
}

// errBpfUsage is a bad command line: the message (if any) and the usage
// were printed.
type errBpfUsage struct{}

func (errBpfUsage) Error() string { return "usage" }

// parseBpftraceArgs reads args as GNU getopt_long does for bpftrace:
// short options may be grouped (-kk, -ve PROG), a value may follow its
// letter (-p123) or come as the next word, long options may be
// abbreviated and take values as --include=F or --include F, options may
// follow the operands, and after "--" every word is an operand. -h, -V
// and --info stop reading as bpftrace does: what follows them is not
// checked.
func parseBpftraceArgs(args []string, stderr io.Writer) (*bpfArgs, error) {
	a := &bpfArgs{}
	var operands []string
	bad := func(format string, v ...any) error {
		fmt.Fprintf(stderr, "bpftrace: "+format+"\n", v...)
		printBpftraceUsage(stderr)
		return errBpfUsage{}
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			operands = append(operands, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(arg, "--"):
			name, value, hasValue := strings.Cut(arg[2:], "=")
			full, err := longOption(name)
			if err != "" {
				return nil, bad(err, arg)
			}
			takes := bpfLong[full]
			switch {
			case !takes && hasValue:
				return nil, bad("option '--%s' doesn't allow an argument", full)
			case takes && !hasValue && i+1 >= len(args):
				return nil, bad("option '--%s' requires an argument", full)
			case takes && !hasValue:
				i++
				value = args[i]
			}
			if a.long(full, value) {
				return a, nil
			}
		case len(arg) > 1 && arg[0] == '-':
			for j := 1; j < len(arg); j++ {
				opt := arg[j]
				k := strings.IndexByte(bpfShort, opt)
				if k < 0 || opt == ':' {
					return nil, bad("invalid option -- '%c'", opt)
				}
				value := ""
				if k+1 < len(bpfShort) && bpfShort[k+1] == ':' {
					switch {
					case j+1 < len(arg):
						value = arg[j+1:]
					case i+1 < len(args):
						i++
						value = args[i]
					default:
						return nil, bad("option requires an argument -- '%c'", opt)
					}
					j = len(arg)
				}
				stop, err := a.short(opt, value, stderr)
				if err != nil || stop {
					return a, err
				}
			}
		default:
			operands = append(operands, arg)
		}
	}
	return a, a.operands(len(args), operands, stderr)
}

// longOption resolves an abbreviated long option, or says what is wrong
// with it (a format taking the option as written).
func longOption(name string) (string, string) {
	if _, ok := bpfLong[name]; ok {
		return name, ""
	}
	var found []string
	for full := range bpfLong {
		if strings.HasPrefix(full, name) {
			found = append(found, full)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], ""
	case len(found) > 1 && name != "":
		return "", "option '%s' is ambiguous"
	}
	return "", "unrecognized option '%s'"
}

// long applies a long option; it reports whether reading must stop.
func (a *bpfArgs) long(name, value string) bool {
	switch name {
	case "help":
		a.help = true
	case "version":
		a.version = true
	case "info":
		a.info = true
	case "unsafe":
		a.unsafe = true
	case "no-warnings":
		a.noWarnings = true
	case "usdt-file-activation":
		// Nothing to do: the kernel counts a probe's semaphore up in
		// every process of the file, also those started later
		// (ref_ctr_offset), which is what the flag asks bpftrace for.
	case "include":
		a.includeFiles = append(a.includeFiles, value)
	}
	return a.help || a.version || a.info
}

// short applies a short option; stop is set when reading must stop.
func (a *bpfArgs) short(opt byte, value string, stderr io.Writer) (stop bool, err error) {
	switch opt {
	case 'd':
		if a.debug++; a.debug > 2 {
			printBpftraceUsage(stderr)
			return true, errBpfUsage{}
		}
	case 'k':
		if a.helperCheck++; a.helperCheck > 2 {
			printBpftraceUsage(stderr)
			return true, errBpfUsage{}
		}
	case 'B':
		if value != "line" && value != "full" && value != "none" {
			fmt.Fprintln(stderr, "ERROR: USAGE: -B must be either 'line', 'full', or 'none'.")
			return true, errBpfUsage{}
		}
		a.buffer = value
	case 'b': // --btf: accepted and ignored, as by bpftrace 0.17
	case 'f':
		a.format = value
	case 'e':
		a.script, a.scriptSet = value, true
	case 'h':
		a.help = true
	case 'V':
		a.version = true
	case 'l':
		a.list = true
	case 'p':
		a.pid = value
	case 'v':
		a.verbose++
	case 'q':
		a.quiet = true
	case 'c':
		a.command = value
	case 'o':
		a.output = value
	case 'I':
		a.includeDirs = append(a.includeDirs, value)
	}
	return a.help || a.version, nil
}

// operands checks the combinations and takes the operands: -l's pattern,
// or the program file and the positional parameters.
func (a *bpfArgs) operands(nargs int, operands []string, stderr io.Writer) error {
	switch {
	case nargs == 0:
		printBpftraceUsage(stderr)
		return errBpfUsage{}
	case a.verbose > 0 && a.debug > 0:
		fmt.Fprintln(stderr, "ERROR: USAGE: Use either -v or -d.")
		return errBpfUsage{}
	case a.command != "" && a.pid != "":
		fmt.Fprintln(stderr, "ERROR: USAGE: Cannot use both -c and -p.")
		printBpftraceUsage(stderr)
		return errBpfUsage{}
	case a.list:
		switch len(operands) {
		case 0:
			a.search = "*:*"
		case 1:
			a.search = operands[0]
			if a.search == "*" {
				a.search = "*:*"
			}
		default:
			printBpftraceUsage(stderr)
			return errBpfUsage{}
		}
		return nil
	case !a.scriptSet && len(operands) == 0:
		fmt.Fprintln(stderr, "ERROR: USAGE: filename or -e 'program' required.")
		return errBpfUsage{}
	case !a.scriptSet:
		a.filename, operands = operands[0], operands[1:]
	}
	a.params = operands
	return nil
}

// printBpftraceUsage prints the usage as bpftrace does: on stderr, also
// for -h.
func printBpftraceUsage(w io.Writer) { io.WriteString(w, bpftraceUsage) }

// bpftraceUsage is bpftrace 0.17's usage text, its lines reduced to the
// options this personality reads and said as surftrace does them.
const bpftraceUsage = `USAGE:
    bpftrace [options] filename
    bpftrace [options] - <stdin input>
    bpftrace [options] -e 'program'

OPTIONS:
    -B MODE        output buffering mode ('line', 'full', 'none')
    -f FORMAT      output format ('text', 'json')
    -o file        redirect bpftrace output to file
    -e 'program'   execute this program
    -h, --help     show this help message
    -I DIR         add the directory to the include search path
    --include FILE add an #include file before preprocessing
    -l [search]    list probes
    -p PID         stop when PID exits
    -c 'CMD'       run CMD once the probes are attached, stop when it exits
    --usdt-file-activation
                   activate usdt semaphores based on file path
    --unsafe       allow unsafe builtin functions
    -q             keep messages quiet
    --info         Print information about kernel BPF support
    -k             emit a warning when a bpf helper returns an error (except read functions)
    -kk            check all bpf helper functions
    -V, --version  bpftrace version
    --no-warnings  disable all warning messages

TROUBLESHOOTING OPTIONS:
    -v                      verbose messages
    -d                      (dry run) print the eBPF listing
    -dd                     (dry run) print the parse tree and the eBPF listing

This is surftrace speaking bpftrace's command line (it was invoked as
bpftrace); invoked as surftrace it takes surftrace's flags (surftrace --help).

EXAMPLES:
bpftrace -l '*sleep*'
    list probes containing "sleep"
bpftrace -e 'kprobe:do_nanosleep { printf("PID %d sleeping...\n", pid); }'
    trace processes calling sleep
bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'
    count syscalls by process name
`
