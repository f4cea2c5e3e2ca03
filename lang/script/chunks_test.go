package script

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// A chunk file holds cases separated by lines "---". A case is input, a
// line "==>", and the expected output.
const (
	caseSep = "\n---\n"
	wantSep = "==>\n"
)

// runChunks runs render on every case of file and compares with the
// expected output, or with -update rewrites the file with what render
// returned.
func runChunks(t *testing.T, file string, render func(t *testing.T, input string) string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cases := strings.Split(strings.TrimSuffix(string(data), "\n"), caseSep)
	var out []string
	for i, c := range cases {
		if !strings.Contains(c, wantSep) {
			c += "\n" // a new last case may end in "==>" alone
		}
		input, want, _ := strings.Cut(c, wantSep)
		got := render(t, input)
		if *update {
			out = append(out, input+wantSep+got)
			continue
		}
		if got != want {
			t.Errorf("%s: case %d:\n%s\ngot:\n%s\nwant:\n%s", file, i+1, input, got, want)
		}
	}
	if *update {
		if err := os.WriteFile(file, []byte(strings.Join(out, caseSep)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
