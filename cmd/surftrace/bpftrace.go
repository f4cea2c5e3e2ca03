package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// bpftraceName is the name (argv[0]'s base name) under which surftrace
// speaks bpftrace's command line instead of its own.
const bpftraceName = "bpftrace"

// Exit statuses of the bpftrace personality, as bpftrace 0.17 exits.
const (
	bpfExitError    = 1   // every error, bad usage included
	bpfExitOpenFile = 255 // the program file or -c's program cannot be found (bpftrace returns -1)
)

// runBpftrace is main for the bpftrace personality: it reads args as
// bpftrace 0.17 does (docs/cli.md) and runs them through the same
// pipeline as surftrace, printing bpftrace's banner and its message
// shapes ("ERROR: ..."). stdin is read for the program "-".
func runBpftrace(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a, err := parseBpftraceArgs(args, stderr)
	switch {
	case err != nil:
		return bpfExitError
	case a.help:
		printBpftraceUsage(stderr)
		return exitOK
	case a.version:
		fmt.Fprintf(stdout, "bpftrace v0.17.0 (surftrace %s)\n", version())
		return exitOK
	case a.info:
		if os.Geteuid() != 0 {
			fmt.Fprintln(stderr, "ERROR: bpftrace currently only supports running as the root user.")
			return bpfExitError
		}
		printInfo(stderr)
		return exitOK
	}
	c, code := a.config(stdin, stderr)
	if c == nil {
		return code
	}
	if words := strings.Fields(a.command); len(words) > 0 && !a.list {
		if _, err := exec.LookPath(words[0]); err != nil {
			fmt.Fprintf(stderr, "ERROR: Failed to fork child: path '%s' does not exist or is not executable\n", words[0])
			return bpfExitOpenFile
		}
	}
	out := stdout
	if a.output != "" {
		f, err := os.Create(a.output)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: Failed to open output file: \"%s\": %s\n", a.output, errnoText(err))
			return bpfExitError
		}
		defer f.Close()
		out = f
	}
	if a.buffer == "full" {
		bw := bufio.NewWriter(out)
		defer bw.Flush()
		out = bw
	}
	// bpftrace writes the gap before the exit maps to stdout, also
	// with -o; its -c command inherits stdout.
	c.cmdOut, c.gap = stdout, out
	if a.output != "" {
		c.gap = stdout
	}
	if err := bpftraceDispatch(c, a, out, stderr); err != nil {
		printBpftraceError(stderr, err)
		return bpfExitError
	}
	return exitOK
}

// config turns bpftrace's arguments into surftrace's config, reading the
// program file or stdin; on failure it has printed why and returns the
// exit status.
func (a *bpfArgs) config(stdin io.Reader, stderr io.Writer) (*config, int) {
	c := &config{
		bpftrace: true, program: a.script, programName: "stdin", args: a.params,
		format: "text", backend: "auto", command: a.command, quiet: a.quiet,
		verbose: a.verbose > 0, unsafe: a.unsafe, banner: !a.quiet, helpers: a.helperCheck,
		notifyAttached: os.Getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED") != "",
		notes:          stderr,
		includeDirs:    a.includeDirs, includeFiles: a.includeFiles,
	}
	switch a.format {
	case "", "text":
	case "json":
		c.format = "json"
	default:
		fmt.Fprintf(stderr, "ERROR: Invalid output format \"%s\"\nValid formats: 'text', 'json'\n", a.format)
		return nil, bpfExitError
	}
	if a.pid != "" {
		pid, err := parsePID(a.pid)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: %v\n", err)
			return nil, bpfExitError
		}
		c.pid = pid
	}
	if a.quiet || a.noWarnings {
		c.notes = io.Discard
	}
	if a.list {
		if i := strings.IndexFunc(a.search, badSearchRune(a.search)); i >= 0 {
			fmt.Fprintf(stderr, "stdin:1:%d: ERROR: invalid character '%c'\n%s\n%*s^\n", i+1, a.search[i], a.search, i, "")
			return nil, bpfExitError
		}
		c.list = true
		c.args = []string{a.search}
		structs := !strings.Contains(a.search, ":") && (strings.HasPrefix(a.search, "struct ") ||
			strings.HasPrefix(a.search, "union ") || strings.HasPrefix(a.search, "enum "))
		if structs || a.verbose > 0 && a.search != "*:*" {
			c.list, c.listV = false, true
		}
		return c, exitOK
	}
	if a.scriptSet {
		return c, exitOK
	}
	var text []byte
	var err error
	if a.filename == "-" {
		text, err = io.ReadAll(stdin)
	} else {
		c.programName = a.filename
		text, err = os.ReadFile(a.filename)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: failed to open file '%s': %s\n", a.filename, errnoText(err))
		return nil, bpfExitOpenFile
	}
	c.program = string(text)
	return c, exitOK
}

// bpftraceDispatch runs c; -d and -dd print the compiled program instead.
func bpftraceDispatch(c *config, a *bpfArgs, stdout, stderr io.Writer) error {
	if a.debug == 0 || c.list || c.listV {
		return dispatch(c, stdout, stderr)
	}
	if a.debug > 1 {
		c.emit = "ast"
		if err := dispatch(c, stdout, stderr); err != nil {
			return err
		}
	}
	c.emit = "asm"
	return dispatch(c, stdout, stderr)
}

// badSearchRune returns the test for the characters bpftrace's lexer
// refuses in -l's search: those that are in no probe name or glob
// (spaces only in 'struct NAME', 'union NAME', 'enum NAME').
func badSearchRune(search string) func(rune) bool {
	spaces := strings.HasPrefix(search, "struct ") || strings.HasPrefix(search, "union ") || strings.HasPrefix(search, "enum ")
	return func(r rune) bool {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return false
		case r == ' ':
			return !spaces
		}
		return !strings.ContainsRune("_*?:./-[]{},+@$~!", r)
	}
}

// maxPID is the largest pid Linux hands out (PID_MAX_LIMIT on 64 bits).
const maxPID = 4 * 1024 * 1024

// parsePID reads -p as bpftrace does, with its messages.
func parsePID(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("pid '%s' outside of integer range", s)
	case err != nil:
		return 0, fmt.Errorf("pid '%s' is not a valid decimal number", s)
	case n < 1 || n > maxPID:
		return 0, fmt.Errorf("pid '%s' out of valid pid range [1,%d]", s, maxPID)
	}
	return int(n), nil
}

// errnoText is the C library's text for the errno inside err ("No such
// file or directory"), as bpftrace prints strerror.
func errnoText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// positioned matches the start of a positioned diagnostic line.
var positioned = regexp.MustCompile(`^(\S+:\d+:\d+): `)

// printBpftraceError prints err in bpftrace's shapes: "FILE:LINE:COL:
// ERROR: message" above the source line and caret for an error in the
// program, "ERROR: message" for any other.
func printBpftraceError(stderr io.Writer, err error) {
	if _, ok := lang.AsError(err); !ok {
		fmt.Fprintln(stderr, "ERROR:", err)
		return
	}
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		if positioned.MatchString(l) {
			lines[i] = positioned.ReplaceAllString(l, "$1: ERROR: ")
		}
	}
	if !positioned.MatchString(err.Error()) {
		lines[0] = "ERROR: " + lines[0]
	}
	fmt.Fprintln(stderr, strings.Join(lines, "\n"))
}
