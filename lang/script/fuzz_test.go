package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

// FuzzParse requires that no input panics (an internal error counts) and
// that every error is positioned, and that parsed programs have good spans.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.st")
	chunks, _ := filepath.Glob("testdata/parse/*.txt")
	for _, file := range append(files, chunks...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, c := range strings.Split(string(data), caseSep) {
			input, _, _ := strings.Cut(c, wantSep)
			f.Add(input)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		prog, err := Parse(&lang.Source{Name: "f.st", Text: text})
		if err != nil {
			checkErrors(t, err)
			return
		}
		checkSpans(t, prog)
	})
}
