package main

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/stdlib"
)

// parseSource parses what c says to trace: a -e program, a .st file or a
// stdlib script, each with its positional parameters, a -f file of expression lines, or
// expression lines, each its own source named "<line N>".
func parseSource(c *config) (*lang.Program, error) {
	switch {
	case c.program != "" && c.programName != "":
		return parseScriptText(c, c.programName, c.program, c.args)
	case c.program != "":
		return parseScriptText(c, "-e", c.program, c.args)
	case c.sub == "run":
		s, err := stdlibScript(c.args[0])
		if err != nil {
			return nil, err
		}
		return parseScript(c, &lang.Source{Name: s.File, Text: s.Text}, s.Name, c.args[1:])
	case c.file != "":
		return parseLineFile(c.file)
	case isScript(c.args[0]):
		text, err := os.ReadFile(c.args[0])
		if err != nil {
			return nil, err
		}
		return parseScriptText(c, c.args[0], string(text), c.args[1:])
	}
	return parseLines(c.args, func(i int) string { return fmt.Sprintf("<line %d>", i+1) })
}

// parseScriptText preprocesses a program (its #define and #include lines,
// -I and --include) and parses it.
func parseScriptText(c *config, name, text string, args []string) (*lang.Program, error) {
	src := &lang.Source{Name: name, Text: text}
	expanded, err := preprocess(src, c.includeDirs, c.includeFiles)
	if err != nil {
		return nil, err
	}
	src.Text = attachParams(expanded, args)
	return parseScript(c, src, name, args)
}

// stdlibScript returns the shipped script name, or an error with a
// did-you-mean.
func stdlibScript(name string) (stdlib.Script, error) {
	s, ok := stdlib.Get(name)
	if !ok {
		msg := fmt.Sprintf("run: no stdlib script %q", name)
		if hint := lang.DidYouMean(name, stdlib.Names()); hint != "" {
			msg += "; " + hint
		}
		return s, fmt.Errorf("%s (surftrace run --list shows them)", msg)
	}
	return s, nil
}

// parseLines parses expression lines into one program.
func parseLines(lines []string, name func(i int) string) (*lang.Program, error) {
	var prog *lang.Program
	for i, text := range lines {
		p, err := line.Parse(&lang.Source{Name: name(i), Text: text}, i)
		if err != nil {
			return nil, err
		}
		if prog == nil {
			prog = p
			continue
		}
		prog.Probes = append(prog.Probes, p.Probes...)
		prog.End = p.End
	}
	return prog, nil
}

// parseLineFile reads -f FILE: one expression line per line, blank lines
// and lines starting with '#' skipped. Errors name FILE:LINE:COL.
func parseLineFile(path string) (*lang.Program, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-f: %w", err)
	}
	// Comments become blank lines, so positions stay the file's.
	lines := strings.Split(string(data), "\n")
	any := false
	for i, l := range lines {
		switch t := strings.TrimSpace(l); {
		case strings.HasPrefix(t, "#"):
			lines[i] = ""
		case t != "":
			any = true
		}
	}
	if !any {
		return nil, fmt.Errorf("-f %s: no expression lines", path)
	}
	return line.Parse(&lang.Source{Name: path, Text: strings.Join(lines, "\n")}, 0)
}

// parseScript parses a .st script, binds its named parameters
// (getopt("name", default)) to the --name=VALUE arguments in args, and
// replaces its positional parameters ($1, $2, ..., $#) by the other
// args: a number stays a number, anything else is a string, and a
// parameter with no argument is 0 (or "" in str($N)), as in bpftrace.
func parseScript(c *config, src *lang.Source, name string, args []string) (*lang.Program, error) {
	prog, err := script.Parse(src)
	if err != nil {
		return nil, err
	}
	positional, params, err := bindParams(prog, name, args)
	if err != nil {
		return nil, err
	}
	c.params = params
	substitute(reflect.ValueOf(prog), positional)
	return prog, nil
}

// parseStdlib parses a shipped script's text.
func parseStdlib(text, file string) (*lang.Program, error) {
	return script.Parse(&lang.Source{Name: file, Text: text})
}

var exprType = reflect.TypeOf((*lang.Expr)(nil)).Elem()

// substitute walks v and replaces every positional lang.Var it finds in a
// field or element of type lang.Expr.
func substitute(v reflect.Value, args []string) {
	switch v.Kind() {
	case reflect.Pointer:
		if call, ok := v.Interface().(*lang.Call); ok && call != nil && call.Name == "str" && len(call.Args) > 0 {
			if pv, ok := call.Args[0].(*lang.Var); ok && positionalIndex(pv) > 0 {
				call.Args[0] = positionalString(pv, args) // str($1) of "1" is "1", as in bpftrace
			}
		}
		if !v.IsNil() {
			substitute(v.Elem(), args)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				substitute(v.Field(i), args)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			substitute(v.Index(i), args)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if pv, ok := v.Interface().(*lang.Var); ok && v.Type() == exprType && v.CanSet() {
			if lit := positional(pv, args); lit != nil {
				v.Set(reflect.ValueOf(lit))
			}
			return
		}
		substitute(v.Elem(), args)
	}
}

// positionalIndex is N for $N, else 0.
func positionalIndex(v *lang.Var) int {
	n, err := strconv.Atoi(v.Name)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// positionalString is $N as a string literal, whatever it looks like:
// "" when it is missing.
func positionalString(v *lang.Var, args []string) lang.Expr {
	arg := ""
	if n := positionalIndex(v); n <= len(args) {
		arg = args[n-1]
	}
	return &lang.StrLit{Span: v.Span, Value: arg, Param: true}
}

// positional returns the literal for $N or $#, or nil for other variables.
func positional(v *lang.Var, args []string) lang.Expr {
	if v.Name == "#" {
		return &lang.IntLit{Span: v.Span, Value: uint64(len(args)), Text: strconv.Itoa(len(args))}
	}
	n, err := strconv.Atoi(v.Name)
	if err != nil || n < 1 {
		return nil
	}
	arg := "0"
	if n <= len(args) {
		arg = args[n-1]
	}
	if u, err := strconv.ParseUint(arg, 0, 64); err == nil {
		return &lang.IntLit{Span: v.Span, Value: u, Text: arg}
	}
	if neg, ok := strings.CutPrefix(arg, "-"); ok {
		if u, err := strconv.ParseUint(neg, 0, 63); err == nil { // as bpftrace: "-5" is a number
			return &lang.Unary{Span: v.Span, Op: "-", X: &lang.IntLit{Span: v.Span, Value: u, Text: neg}}
		}
	}
	return &lang.StrLit{Span: v.Span, Value: arg, Param: true}
}

// attachParams replaces the positional parameters inside attach points
// ("interval:ms:$1", "BEG$1"), as bpftrace does, by their text: a $N at
// brace depth 0 that follows a letter, a digit, ':' or '_' is part of an
// attach point, never of a predicate's expression. Strings, comments and
// directive lines are left alone; a missing parameter stays $N, for the
// parser to point at.
func attachParams(text string, args []string) string {
	if !strings.Contains(text, "$") {
		return text
	}
	var b strings.Builder
	depth := 0
	lineStart := true
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case lineStart && strings.HasPrefix(strings.TrimLeft(text[i:], " \t"), "#"):
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				end = len(text) - i
			}
			b.WriteString(text[i : i+end])
			i += end
			continue
		case c == '"':
			j := i + 1
			for j < len(text) && text[j] != '"' {
				if text[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(text))
			b.WriteString(text[i:j])
			i = j
			continue
		case strings.HasPrefix(text[i:], "//"), strings.HasPrefix(text[i:], "/*"):
			end := "\n"
			if text[i+1] == '*' {
				end = "*/"
			}
			j := strings.Index(text[i+2:], end)
			if j < 0 {
				j = len(text) - i - 2
			}
			b.WriteString(text[i : i+2+j])
			i += 2 + j
			continue
		case c == '{':
			depth++
		case c == '}':
			depth = max(depth-1, 0)
		case c == '$' && depth == 0 && i > 0 && (isIdentStart(text[i-1]) || text[i-1] == ':' || text[i-1] >= '0' && text[i-1] <= '9'):
			j := i + 1
			for j < len(text) && text[j] >= '0' && text[j] <= '9' {
				j++
			}
			if n, err := strconv.Atoi(text[i+1 : j]); err == nil && n >= 1 && n <= len(args) {
				b.WriteString(args[n-1])
				i = j
				lineStart = false
				continue
			}
		}
		lineStart = c == '\n'
		b.WriteByte(c)
		i++
	}
	return b.String()
}
