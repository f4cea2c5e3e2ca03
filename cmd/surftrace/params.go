package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/getopt"
)

// scriptParams are the named parameters of the script being run (its
// getopt calls) and where they were bound, so that a compile error in a
// bound value names the parameter in one line.
type scriptParams struct {
	script     string               // "drop", or the .st file
	bound      map[lang.Span]string // getopt call -> parameter name
	positional []string             // $1, $2, ...
}

// bindParams checks args against the parameters prog declares, binds
// them and returns the positional arguments left.
func bindParams(prog *lang.Program, script string, args []string) ([]string, *scriptParams, error) {
	params, err := getopt.Declared(prog)
	if err != nil {
		return nil, nil, err
	}
	values, positional, err := getopt.Parse(params, args)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", script, err)
	}
	bound := getopt.Bind(prog, params, values)
	return positional, &scriptParams{script: script, bound: bound, positional: positional}, nil
}

// explain rewrites a compile error inside a bound parameter's value as a
// one-line error naming the parameter: a bad --addr is the user's value,
// not a bug in the script.
func (p *scriptParams) explain(err error) error {
	le, ok := lang.AsError(err)
	if p == nil || !ok {
		return err
	}
	// A pcap filter is parsed as a source of its own (its text): one
	// given as a positional argument is the user's.
	if src := le.Pos.Src; src != nil && strings.HasSuffix(src.Name, "pcap filter") && slices.Contains(p.positional, src.Text) {
		return badInput(fmt.Errorf("%s: filter %q: %s (at column %d)", p.script, src.Text, le.Msg, le.Pos.Col))
	}
	for sp, name := range p.bound {
		if le.Pos.Src == sp.Pos.Src && le.Pos.Offset >= sp.Pos.Offset && le.End.Offset <= sp.End.Offset {
			msg := le.Msg
			if le.Hint != "" {
				msg += " (" + le.Hint + ")"
			}
			return badInput(fmt.Errorf("%s: %s: %s", p.script, getopt.FlagName(name), msg))
		}
	}
	return err
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
		w := getopt.FlagName(p.Name)
		if p.Kind != getopt.Bool {
			w += "=" + strings.ToUpper(p.Kind.String())
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}
