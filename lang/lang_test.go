package lang

import (
	"strings"
	"testing"
)

func TestErrorSnippet(t *testing.T) {
	src := &Source{Name: "x.st", Text: "kprobe:ip_rcv {\n\t@[comm] = cont();\n}\n"}
	off := strings.Index(src.Text, "cont")
	e := Errorf(Span{PosAt(src, off), PosAt(src, off+4)}, "unknown function cont").
		WithHint(DidYouMean("cont", []string{"count", "sum", "hist"}))
	want := "x.st:2:12: unknown function cont\n" +
		"    \t@[comm] = cont();\n" +
		"    \t          ^~~~\n" +
		"    (did you mean count?)"
	if got := e.Error(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestNearest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cands []string
		want  string
	}{
		{"protcol", []string{"protocol", "tos", "ttl"}, "protocol"},
		{"ip_outptu", []string{"ip_output", "ip_rcv", "ip6_output"}, "ip_output,ip6_output"},
		{"zzz", []string{"protocol"}, ""},
	} {
		if got := strings.Join(Nearest(tc.name, tc.cands, 3), ","); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDump(t *testing.T) {
	e := &Binary{Op: "==", X: &Ident{Name: "proto"}, Y: &IntLit{Value: 17, Text: "17"}}
	want := `(Binary Op="==" X=(Ident Name="proto") Y=(IntLit Value=17 Text="17"))`
	if got := Dump(e); got != want {
		t.Fatalf("got %s", got)
	}
}
