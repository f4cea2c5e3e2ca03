package script

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

// TestParse compares parse trees (lang.Dump, one probe a line) and error
// messages with the cases in testdata/parse/*.txt.
func TestParse(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatal("no testdata/parse/*.txt", err)
	}
	for _, file := range files {
		runChunks(t, file, func(t *testing.T, input string) string {
			src := &lang.Source{Name: "x.st", Text: input}
			prog, err := ParseWith(src, Options{ParseLine: fakeLine})
			if err != nil {
				checkErrors(t, err)
				return err.Error() + "\n"
			}
			checkSpans(t, prog)
			var b strings.Builder
			for _, p := range prog.Probes {
				b.WriteString(lang.Dump(p) + "\n")
			}
			return b.String()
		})
	}
}

// TestSpans shows the source text of every node of the cases in
// testdata/spans.txt, indented by depth.
func TestSpans(t *testing.T) {
	runChunks(t, "testdata/spans.txt", func(t *testing.T, input string) string {
		prog, err := ParseWith(&lang.Source{Name: "x.st", Text: input}, Options{ParseLine: fakeLine})
		if err != nil {
			return err.Error() + "\n"
		}
		var b strings.Builder
		walk(reflect.ValueOf(prog), 0, func(v reflect.Value, sp lang.Span, depth int) {
			fmt.Fprintf(&b, "%s%s %q\n", strings.Repeat("  ", depth), v.Type().Name(), input[sp.Pos.Offset:sp.End.Offset])
		})
		return b.String()
	})
}

// TestLangLine parses expression lines with lang/line, the default, and
// requires its positions and carets to point into the whole file.
func TestLangLine(t *testing.T) {
	src := &lang.Source{Name: "x.st", Text: "BEGIN { exit(); }\n\np ip_output proto=@(struct iphdr *)l3%2->protocol f:proto==17\nr ip_rcv ret=$retval\n"}
	prog, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, prog)
	if len(prog.Probes) != 3 || prog.Probes[1].Name != "p0" || prog.Probes[2].Name != "r1" || prog.Probes[1].Pos.Line != 3 {
		t.Fatalf("got %s", lang.Dump(prog.Probes))
	}
	src.Text = "BEGIN { }\n  p ip_rcv x=%\n"
	_, err = Parse(src)
	e, ok := lang.AsError(err)
	if !ok || e.Pos.Src != src || e.Pos.Line != 2 || !strings.Contains(e.Error(), "    p ip_rcv x=%") {
		t.Fatalf("got %v", err)
	}
}

func TestInternalError(t *testing.T) {
	src := &lang.Source{Name: "x.st", Text: "p ip_rcv\n"}
	_, err := ParseWith(src, Options{ParseLine: func(*lang.Source, string, int, int) ([]*lang.Probe, error) {
		panic("boom")
	}})
	if e, ok := lang.AsError(err); !ok || e.Msg != "internal error: boom" {
		t.Fatalf("got %v", err)
	}
}

// fakeLine stands in for lang/line: the probe spans the line and is named
// by its letter and index; "BAD" in a line is an error at that word.
func fakeLine(src *lang.Source, text string, offset, index int) ([]*lang.Probe, error) {
	if i := strings.Index(text, "BAD"); i >= 0 {
		return nil, lang.Errorf(lang.Span{Pos: lang.PosAt(src, offset+i), End: lang.PosAt(src, offset+i+3)}, "bad line")
	}
	sp := lang.Span{Pos: lang.PosAt(src, offset), End: lang.PosAt(src, offset+len(text))}
	return []*lang.Probe{{
		Span: sp, Line: true, Name: fmt.Sprintf("%c%d", text[0], index),
		Attach: []*lang.AttachPoint{{Span: sp, Kind: lang.Kprobe, Target: strings.Fields(text)[1]}},
		Body:   []lang.Stmt{&lang.TraceStmt{Span: sp}},
	}}, nil
}

// checkErrors requires every error to be positioned in its source.
func checkErrors(t *testing.T, err error) {
	t.Helper()
	list, ok := err.(lang.ErrorList)
	if !ok {
		e, isErr := err.(*lang.Error)
		if !isErr {
			t.Fatalf("error %T is not a *lang.Error: %v", err, err)
		}
		list = lang.ErrorList{e}
	}
	for _, e := range list {
		if !e.Pos.IsValid() || e.Pos.Src == nil || e.End.IsValid() && e.End.Offset < e.Pos.Offset {
			t.Errorf("error without a good position: %#v", e)
		}
		if strings.HasPrefix(e.Msg, "internal error") {
			t.Errorf("%v", e)
		}
	}
}

// checkSpans requires every node to have a valid span inside its parent's
// (an skb cast's type is written before its operand, so order is not
// checked) and in the program's source. A macro's expansion keeps the
// spans of the macro's body and of the call's arguments, which are not
// nested, so a program with macros is only checked for valid spans.
func checkSpans(t *testing.T, prog *lang.Program) {
	t.Helper()
	nested := !strings.Contains(prog.Src.Text, "macro ")
	var parents []lang.Span
	walk(reflect.ValueOf(prog), 0, func(v reflect.Value, sp lang.Span, depth int) {
		parents = append(parents[:depth], sp)
		ok := sp.Pos.IsValid() && sp.End.IsValid() && sp.Pos.Src == prog.Src && sp.End.Src == prog.Src &&
			sp.Pos.Offset <= sp.End.Offset && sp.Pos == lang.PosAt(prog.Src, sp.Pos.Offset) &&
			sp.End == lang.PosAt(prog.Src, sp.End.Offset)
		if depth > 0 && nested {
			p := parents[depth-1]
			ok = ok && p.Pos.Offset <= sp.Pos.Offset && sp.End.Offset <= p.End.Offset
		}
		if !ok {
			t.Errorf("bad span %v-%v on %s", sp.Pos, sp.End, lang.Dump(v.Interface()))
		}
	})
}

var spanType = reflect.TypeOf(lang.Span{})

// walk calls f on every AST node (every struct embedding lang.Span) in
// depth-first order, with its depth.
func walk(v reflect.Value, depth int, f func(v reflect.Value, sp lang.Span, depth int)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), depth, f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), depth, f)
		}
	case reflect.Struct:
		sf, ok := v.Type().FieldByName("Span")
		if !ok || sf.Type != spanType {
			return
		}
		f(v, v.FieldByIndex(sf.Index).Interface().(lang.Span), depth)
		for i := 0; i < v.NumField(); i++ {
			if name := v.Type().Field(i).Name; name != "Span" && name != "Src" {
				walk(v.Field(i), depth+1, f)
			}
		}
	}
}
