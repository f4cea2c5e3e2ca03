package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/getopt"
	"github.com/surftrace/surftrace/stdlib"
)

// scriptParams are the named parameters of the script being run (its
// getopt calls) and where they were bound, so that a compile error in a
// bound value names the parameter in one line.
type scriptParams struct {
	script string               // "drop", or the .st file
	bound  map[lang.Span]string // getopt call -> parameter name
}

// errHelp asks for the script's usage instead of a run.
var errHelp = errors.New("help")

// bindParams checks args against the parameters prog declares, binds
// them and returns the positional arguments left. "--help" or "-h" among
// args returns errHelp.
func bindParams(prog *lang.Program, script string, args []string) ([]string, *scriptParams, error) {
	params, err := getopt.Declared(prog)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range args {
		if a == "--help" || a == "-h" {
			return nil, nil, errHelp
		}
	}
	values, positional, err := getopt.Parse(params, args)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", script, err)
	}
	bound := getopt.Bind(prog, params, values)
	return positional, &scriptParams{script: script, bound: bound}, nil
}

// explain rewrites a compile error inside a bound parameter's value as a
// one-line error naming the parameter: a bad --addr is the user's value,
// not a bug in the script.
func (p *scriptParams) explain(err error) error {
	le, ok := lang.AsError(err)
	if p == nil || !ok {
		return err
	}
	for sp, name := range p.bound {
		if le.Pos.Src == sp.Pos.Src && le.Pos.Offset >= sp.Pos.Offset && le.End.Offset <= sp.End.Offset {
			msg := le.Msg
			if le.Hint != "" {
				msg += " (" + le.Hint + ")"
			}
			return badInput(fmt.Errorf("%s: --%s: %s", p.script, name, msg))
		}
	}
	return err
}

// scriptHelp prints a script's usage: its summary and its parameters.
func scriptHelp(w io.Writer, name string, prog *lang.Program) error {
	params, err := getopt.Declared(prog)
	if err != nil {
		return err
	}
	usage := "usage: surftrace run " + name
	if strings.HasSuffix(name, ".st") {
		usage = "usage: surftrace " + name
	}
	if len(params) > 0 {
		usage += " [--PARAM=VALUE ...]"
	}
	fmt.Fprintln(w, usage)
	if s, ok := stdlib.Get(name); ok {
		fmt.Fprintf(w, "\n%s\n", s.Summary)
	}
	if len(params) > 0 {
		fmt.Fprintf(w, "\nparameters:\n%s", getopt.Usage(params))
	}
	return nil
}

// paramSummary is the one-line list of a script's parameters for
// `run --list`: "--addr=STRING --port=INT --stack".
func paramSummary(text, file string) string {
	prog, err := parseStdlib(text, file)
	if err != nil {
		return ""
	}
	params, err := getopt.Declared(prog)
	if err != nil {
		return ""
	}
	var words []string
	for _, p := range params {
		w := "--" + p.Name
		if p.Kind != getopt.Bool {
			w += "=" + strings.ToUpper(p.Kind.String())
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// scriptName is the name `run NAME` or the script file names.
func scriptName(c *config) string {
	if c.program != "" {
		return "-e"
	}
	return c.args[0]
}
