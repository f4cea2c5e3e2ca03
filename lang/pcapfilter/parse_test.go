package pcapfilter

import (
	"os"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

// TestParse compares the s-expression dump of each filter in
// testdata/parse.txt ("filter\n==> dump" chunks separated by "---") or,
// for a failing one, the error with its position and caret.
func TestParse(t *testing.T) {
	data, err := os.ReadFile("testdata/parse.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, chunk := range strings.Split(string(data), "\n---\n") {
		in, _, _ := strings.Cut(chunk, "\n==>\n")
		out = append(out, in+"\n==>\n"+dumpOrError(in))
	}
	got := strings.Join(out, "\n---\n") + "\n"
	if os.Getenv("UPDATE") != "" {
		if err := os.WriteFile("testdata/parse.txt", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != string(data) {
		t.Errorf("testdata/parse.txt differs (UPDATE=1 rewrites it); got:\n%s", got)
	}
}

func dumpOrError(in string) string {
	src := &lang.Source{Name: "filter", Text: in}
	x, err := Parse(src, 0, in)
	if err != nil {
		return "error: " + err.Error()
	}
	return Dump(x)
}

// TestParseOffset checks that positions count from the base offset, so a
// filter inside a script's string literal reports the script's column.
func TestParseOffset(t *testing.T) {
	text := `BEGIN { if (pcap("tcp and port 99999", $s)) {} }`
	src := &lang.Source{Name: "x.st", Text: text}
	base := strings.Index(text, "tcp")
	_, err := Parse(src, base, "tcp and port 99999")
	if err == nil || !strings.HasPrefix(err.Error(), "x.st:1:32: ") {
		t.Fatalf("got %v, want an error at x.st:1:32", err)
	}
}

// FuzzParse checks that no filter makes Parse panic and that every error
// is a positioned *lang.Error.
func FuzzParse(f *testing.F) {
	data, err := os.ReadFile("testdata/parse.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, chunk := range strings.Split(string(data), "\n---\n") {
		in, _, _ := strings.Cut(chunk, "\n==>\n")
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		src := &lang.Source{Name: "fuzz", Text: in}
		x, err := Parse(src, 0, in)
		if err != nil {
			e, ok := err.(*lang.Error)
			if !ok || !e.Pos.IsValid() {
				t.Fatalf("%q: error without a position: %v", in, err)
			}
			if strings.Contains(e.Msg, "internal error") {
				t.Fatalf("%q: %v", in, err)
			}
			return
		}
		if x == nil {
			t.Fatalf("%q: no tree and no error", in)
		}
	})
}
