package line

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestParse runs the cases of testdata/*.txt. A case is a few lines of
// input ("## " lines are titles, not input), a "==>" line, and either the
// dump of the probes or the rendered error; "---" lines separate cases.
func TestParse(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for i, chunk := range strings.Split(string(data), "\n---\n") {
			in, want, ok := strings.Cut(chunk, "\n==>\n")
			if !ok {
				t.Fatalf("%s: case %d has no ==> line", file, i+1)
			}
			input := stripTitles(in)
			got := run(t, input)
			if !*update && strings.TrimSpace(got) != strings.TrimSpace(want) {
				t.Errorf("%s: case %d:\n%s\ngot:\n%s\nwant:\n%s", file, i+1, input, got, want)
			}
			if i > 0 {
				out.WriteString("\n---\n")
			}
			out.WriteString(in + "\n==>\n" + strings.TrimRight(got, "\n"))
		}
		out.WriteString("\n")
		if *update {
			if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// stripTitles drops the "## " title lines of a case.
func stripTitles(in string) string {
	var lines []string
	for _, l := range strings.Split(in, "\n") {
		if !strings.HasPrefix(l, "## ") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// run parses input and renders the result for a golden file: per probe
// its name and attach point, then each field and the filter, each with the
// source text its span covers.
func run(t *testing.T, input string) string {
	src := &lang.Source{Name: "line", Text: input}
	prog, err := Parse(src, 0)
	if err != nil {
		checkError(t, input, err)
		return err.Error()
	}
	checkSpans(t, src, prog)
	var b strings.Builder
	text := func(n lang.Node) string {
		s := n.Extent()
		return fmt.Sprintf("%q", src.Text[s.Pos.Offset:s.End.Offset])
	}
	for _, p := range prog.Probes {
		if !p.Line || len(p.Attach) != 1 || len(p.Body) != 1 {
			t.Errorf("%s: probe %s is not a line probe", input, p.Name)
		}
		fmt.Fprintf(&b, "%s %s %s\n", p.Name, lang.Dump(p.Attach[0]), text(p.Attach[0]))
		for _, f := range p.Body[0].(*lang.TraceStmt).Fields {
			fmt.Fprintf(&b, "  %s %s\n", lang.Dump(f), text(f))
		}
		if p.Pred != nil {
			fmt.Fprintf(&b, "  f: %s %s\n", lang.Dump(p.Pred), text(p.Pred))
		}
	}
	return b.String()
}

// checkError checks that err is a *lang.Error, or a list of them, with
// valid positions inside the input.
func checkError(t *testing.T, input string, err error) {
	t.Helper()
	var list lang.ErrorList
	switch e := err.(type) {
	case *lang.Error:
		list = lang.ErrorList{e}
	case lang.ErrorList:
		list = e
	default:
		t.Fatalf("%q: error %T is not a *lang.Error: %v", input, err, err)
	}
	for _, e := range list {
		if !e.Pos.IsValid() || e.Pos.Offset > len(input) || e.End.IsValid() && e.End.Offset < e.Pos.Offset {
			t.Fatalf("%q: bad error position %+v..%+v: %v", input, e.Pos, e.End, e)
		}
		if e.Pos != lang.PosAt(e.Pos.Src, e.Pos.Offset) {
			t.Fatalf("%q: error position %+v disagrees with its offset", input, e.Pos)
		}
	}
}

// checkSpans checks that every node's span is valid, agrees with its
// offsets and lies within its parent's.
func checkSpans(t *testing.T, src *lang.Source, prog *lang.Program) {
	t.Helper()
	var walk func(v reflect.Value, parent lang.Span)
	walk = func(v reflect.Value, parent lang.Span) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), parent)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), parent)
			}
		case reflect.Struct:
			n, ok := v.Addr().Interface().(lang.Node)
			if !ok {
				return
			}
			s := n.Extent()
			if s.Pos.Src != src || s.End.Src != src || s.Pos != lang.PosAt(src, s.Pos.Offset) ||
				s.End != lang.PosAt(src, s.End.Offset) || s.End.Offset < s.Pos.Offset ||
				s.Pos.Offset < parent.Pos.Offset || s.End.Offset > parent.End.Offset {
				t.Errorf("%q: %T has bad span %d..%d in %d..%d", src.Text, n, s.Pos.Offset, s.End.Offset, parent.Pos.Offset, parent.End.Offset)
			}
			for i := 0; i < v.NumField(); i++ {
				if f := v.Type().Field(i); f.IsExported() && f.Name != "Src" && f.Type != reflect.TypeOf(lang.Span{}) {
					walk(v.Field(i), s)
				}
			}
		}
	}
	walk(reflect.ValueOf(prog), prog.Span)
}

// TestFirstIndex checks that probe names count on from firstIndex across
// lines, skipping blank and comment lines.
func TestFirstIndex(t *testing.T) {
	src := &lang.Source{Name: "f", Text: "p a\n\n# r b\ne s/t\n  r c\n"}
	prog, err := Parse(src, 3)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range prog.Probes {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "p3 e4 r5" {
		t.Fatalf("names %q, want %q", got, "p3 e4 r5")
	}
}

// TestGrammar compares the grammar with testdata/grammar.ebnf.
func TestGrammar(t *testing.T) {
	const file = "testdata/grammar.ebnf"
	got := parser().String() + "\n"
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("grammar changed; review and run go test -update:\n%s", got)
	}
}
