// Package getopt gives scripts named parameters, spelled as bpftrace
// 0.24 spells them: getopt("name", default) in the script reads the value
// of --name=VALUE (or --name VALUE) on the command line, and default's
// type is the parameter's: an integer, a string, or, with no default, a
// boolean flag that --name alone sets.
//
// The parameters are found in the parsed program (Declared), the command
// line is checked against them (Parse), and Bind replaces every getopt
// call by its value as a literal before the program is compiled, as the
// positional parameters $1, $2 are. It works on syntax alone: it imports
// lang and nothing else of surftrace.
package getopt

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// Kind is a parameter's type, taken from its default.
type Kind int

// The kinds of parameter.
const (
	Bool   Kind = iota + 1 // getopt("name"): false unless --name is given
	Int                    // getopt("name", 10)
	String                 // getopt("name", "text")
)

func (k Kind) String() string {
	return map[Kind]string{Bool: "bool", Int: "int", String: "string"}[k]
}

// Param is one named parameter a script declares.
type Param struct {
	Name    string
	Kind    Kind
	Default string // as written, unquoted; "false" for a Bool
	// Doc is the comment ending the source line of the parameter's first
	// getopt call, the parameter's one-line description.
	Doc string
	// Choices, from a string parameter's third argument
	// (getopt("t", "", "tcp,udp,icmp")), are the words its value may
	// list, separated by commas; nil allows any string.
	Choices []string
	At      lang.Span // the first getopt call
}

// Declared lists the parameters prog's getopt calls declare, in the order
// of their first use. A parameter declared twice must agree on its kind
// and default; its choices are given at one use or agree.
func Declared(prog *lang.Program) ([]Param, error) {
	var params []Param
	index := map[string]int{}
	var err error
	walk(reflect.ValueOf(prog), func(c *lang.Call) lang.Expr {
		if err != nil {
			return nil
		}
		p, perr := declaration(c)
		if perr != nil {
			err = perr
			return nil
		}
		if i, ok := index[p.Name]; ok {
			q := &params[i]
			if q.Choices == nil {
				q.Choices = p.Choices // the choices are said once, at any use
			}
			if q.Kind != p.Kind || q.Default != p.Default || p.Choices != nil && !slices.Equal(q.Choices, p.Choices) {
				err = lang.Errorf(c.Span, "getopt(%q) was declared at %s as %s with default %q; here %s with %q",
					p.Name, q.At.Pos, q.Kind, q.Default, p.Kind, p.Default)
			}
			return nil
		}
		index[p.Name] = len(params)
		params = append(params, p)
		return nil
	})
	return params, err
}

// declaration reads one getopt call.
func declaration(c *lang.Call) (Param, error) {
	if len(c.Args) < 1 || len(c.Args) > 3 {
		return Param{}, lang.Errorf(c.Span, "getopt takes a name, an optional default and a string's choices, as getopt(\"port\", 0)")
	}
	name, ok := c.Args[0].(*lang.StrLit)
	if !ok || !validName(name.Value) {
		return Param{}, lang.Errorf(c.Args[0].Extent(), "getopt's name must be a string literal of letters, digits, '-' and '_'")
	}
	p := Param{Name: name.Value, Kind: Bool, Default: "false", Doc: lineComment(c.Span), At: c.Span}
	if len(c.Args) == 1 {
		return p, nil
	}
	if _, str := c.Args[1].(*lang.StrLit); !str && len(c.Args) == 3 {
		return Param{}, lang.Errorf(c.Args[2].Extent(), "only a string parameter has choices")
	}
	switch d := c.Args[1].(type) {
	case *lang.IntLit:
		p.Kind, p.Default = Int, strconv.FormatUint(d.Value, 10)
		return p, nil
	case *lang.StrLit:
		p.Kind, p.Default = String, d.Value
		if len(c.Args) == 3 {
			choices, ok := c.Args[2].(*lang.StrLit)
			if !ok || choices.Value == "" {
				return Param{}, lang.Errorf(c.Args[2].Extent(), "getopt's choices must be a string literal of words separated by commas")
			}
			p.Choices = strings.Split(choices.Value, ",")
		}
		return p, nil
	case *lang.Unary:
		if n, ok := d.X.(*lang.IntLit); ok && d.Op == "-" {
			p.Kind, p.Default = Int, "-"+strconv.FormatUint(n.Value, 10)
			return p, nil
		}
	case *lang.Ident:
		if d.Name == "true" || d.Name == "false" {
			p.Default = d.Name
			return p, nil
		}
	}
	return Param{}, lang.Errorf(c.Args[1].Extent(), "getopt's default must be an integer, string or boolean literal")
}

func validName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// lineComment is the text of a // comment ending the line sp starts on.
func lineComment(sp lang.Span) string {
	src := sp.End.Src
	if src == nil || sp.End.Offset > len(src.Text) {
		return ""
	}
	rest := src.Text[sp.End.Offset:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	_, doc, ok := strings.Cut(rest, "//")
	if !ok {
		return ""
	}
	return strings.TrimSpace(doc)
}

// Parse splits a script's command-line arguments into values of the
// declared parameters and positional arguments ($1, $2, ...). A named
// argument is --name=VALUE, --name VALUE, or --name alone for a Bool; a
// bare "--" is skipped, as bpftrace needs one before named arguments.
// Values are checked against the kind: the error says which parameter
// and what it takes, in one line.
func Parse(params []Param, args []string) (values map[string]string, positional []string, err error) {
	byName := map[string]Param{}
	var names []string
	for _, p := range params {
		byName[p.Name] = p
		names = append(names, FlagName(p.Name))
	}
	values = map[string]string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		short := shortName(arg, byName)
		if short == "" && (arg == "--" || !strings.HasPrefix(arg, "--")) {
			if arg != "--" {
				positional = append(positional, arg)
			}
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		p, ok := byName[name]
		if !ok {
			if len(params) == 0 {
				return nil, nil, fmt.Errorf("unknown parameter --%s: the script declares none", name)
			}
			hint := lang.DidYouMean("--"+name, names)
			if hint != "" {
				hint = " (" + hint + ")"
			}
			return nil, nil, fmt.Errorf("unknown parameter --%s%s; it takes %s", name, hint, strings.Join(names, ", "))
		}
		if !hasValue && p.Kind != Bool {
			if i+1 == len(args) {
				return nil, nil, fmt.Errorf("%s needs a value (%s)", FlagName(name), p.Kind)
			}
			i++
			value = args[i]
		}
		if !hasValue && p.Kind == Bool {
			value = "true"
		}
		v, err := check(p, value)
		if err != nil {
			return nil, nil, err
		}
		values[name] = v
	}
	return values, positional, nil
}

// shortName is X when arg is -X or -X=VALUE and the script declares a
// one-letter parameter X (getopt("t", "")), else "": any other word with
// one dash stays positional (a negative number, say).
func shortName(arg string, byName map[string]Param) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(arg, "-"), "=")
	if len(arg) < 2 || arg[0] != '-' || arg[1] == '-' || len(name) != 1 {
		return ""
	}
	if _, ok := byName[name]; !ok {
		return ""
	}
	return name
}

// FlagName is how the command line spells p: -t for a one-letter
// name, --name otherwise.
func FlagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// check validates value for p and returns it in canonical form.
func check(p Param, value string) (string, error) {
	switch p.Kind {
	case Bool:
		switch value {
		case "true", "1":
			return "true", nil
		case "false", "0":
			return "false", nil
		}
		return "", fmt.Errorf("%s takes true, false, 1 or 0, not %q", FlagName(p.Name), value)
	case String:
		if p.Choices == nil || value == "" {
			return value, nil
		}
		for _, w := range strings.Split(value, ",") {
			if !slices.Contains(p.Choices, w) {
				hint := lang.DidYouMean(w, p.Choices)
				if hint != "" {
					hint = " (" + hint + ")"
				}
				return "", fmt.Errorf("%s: %q is none of %s%s", FlagName(p.Name), w, strings.Join(p.Choices, ", "), hint)
			}
		}
	case Int:
		if _, err := strconv.ParseInt(value, 0, 64); err != nil {
			if _, uerr := strconv.ParseUint(value, 0, 64); uerr != nil {
				return "", fmt.Errorf("%s takes an integer, not %q", FlagName(p.Name), value)
			}
		}
	}
	return value, nil
}

// Bind replaces every getopt call in prog by a literal: the value from
// values (as Parse returned them), else the default. A Bool becomes 1 or
// 0. It returns the replaced calls' spans with their parameter names, so
// that a compile error inside one can name the parameter.
func Bind(prog *lang.Program, params []Param, values map[string]string) map[lang.Span]string {
	byName := map[string]Param{}
	for _, p := range params {
		byName[p.Name] = p
	}
	bound := map[lang.Span]string{}
	walk(reflect.ValueOf(prog), func(c *lang.Call) lang.Expr {
		name, ok := c.Args[0].(*lang.StrLit)
		if !ok {
			return nil
		}
		p := byName[name.Value]
		v, ok := values[p.Name]
		if !ok {
			v = p.Default
		}
		bound[c.Span] = p.Name
		return literal(c.Span, p.Kind, v)
	})
	for _, pr := range prog.Probes {
		for _, ap := range pr.Attach {
			ap.Target = bindTarget(ap.Target, byName, values)
		}
	}
	return bound
}

// bindTarget replaces $NAME in an attach point's target by the value of
// parameter NAME ("tc:ingress:$dev"), as the positional parameters $1,
// $2 are replaced there; a $NAME no getopt call declares stays.
func bindTarget(target string, byName map[string]Param, values map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(target, '$')
		if i < 0 {
			return b.String() + target
		}
		j := i + 1
		for j < len(target) && (target[j] == '_' || target[j] >= '0' && target[j] <= '9' ||
			target[j] >= 'a' && target[j] <= 'z' || target[j] >= 'A' && target[j] <= 'Z') {
			j++
		}
		p, ok := byName[target[i+1:j]]
		if !ok {
			b.WriteString(target[:j])
			target = target[j:]
			continue
		}
		v, set := values[p.Name]
		if !set {
			v = p.Default
		}
		b.WriteString(target[:i] + v)
		target = target[j:]
	}
}

// literal is value as an expression of kind k; value is checked.
func literal(sp lang.Span, k Kind, value string) lang.Expr {
	switch k {
	case Bool:
		if value == "true" {
			return &lang.IntLit{Span: sp, Value: 1, Text: "1"}
		}
		return &lang.IntLit{Span: sp, Value: 0, Text: "0"}
	case Int:
		if n, err := strconv.ParseInt(value, 0, 64); err == nil && n < 0 {
			return &lang.Unary{Span: sp, Op: "-", X: &lang.IntLit{Span: sp, Value: uint64(-n), Text: value[1:]}}
		}
		n, _ := strconv.ParseUint(value, 0, 64)
		return &lang.IntLit{Span: sp, Value: n, Text: value}
	}
	return &lang.StrLit{Span: sp, Value: value}
}

// Usage describes params, one line each: "  --name=INT  doc (default 0)".
func Usage(params []Param) string {
	var b strings.Builder
	width := 0
	heads := make([]string, len(params))
	for i, p := range params {
		heads[i] = FlagName(p.Name)
		if p.Kind != Bool {
			heads[i] += "=" + strings.ToUpper(p.Kind.String())
		}
		width = max(width, len(heads[i]))
	}
	for i, p := range params {
		words := []string{fmt.Sprintf("  %-*s ", width, heads[i])}
		if p.Doc != "" {
			words = append(words, p.Doc)
		}
		if p.Choices != nil {
			words = append(words, "("+strings.Join(p.Choices, ",")+")")
		}
		if p.Kind != Bool && p.Default != "" && p.Default != "0" {
			words = append(words, fmt.Sprintf("(default %s)", p.Default))
		}
		b.WriteString(strings.TrimRight(strings.Join(words, " "), " ") + "\n")
	}
	return b.String()
}

var exprType = reflect.TypeOf((*lang.Expr)(nil)).Elem()

// walk calls fn on every getopt call in v; where fn returns an
// expression, it replaces the call.
func walk(v reflect.Value, fn func(*lang.Call) lang.Expr) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walk(v.Index(i), fn)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if c, ok := v.Interface().(*lang.Call); ok && c.Name == "getopt" {
			if e := fn(c); e != nil && v.Type() == exprType && v.CanSet() {
				v.Set(reflect.ValueOf(e))
			}
			return
		}
		walk(v.Elem(), fn)
	}
}
