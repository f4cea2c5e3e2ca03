package line

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

// FuzzParse checks that no input makes Parse panic, and that every error
// is a positioned *lang.Error or a list of them. The corpus starts from the
// inputs of the golden files.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, chunk := range strings.Split(string(data), "\n---\n") {
			in, _, _ := strings.Cut(chunk, "\n==>\n")
			f.Add(stripTitles(in))
		}
	}
	f.Fuzz(func(t *testing.T, input string) {
		src := &lang.Source{Name: "fuzz", Text: input}
		prog, err := Parse(src, 0)
		if err != nil {
			checkError(t, input, err)
			if e, _ := lang.AsError(err); strings.HasPrefix(e.Msg, "internal error") {
				t.Fatalf("%q: %v", input, err)
			}
			_ = err.Error()
			return
		}
		checkSpans(t, src, prog)
	})
}
