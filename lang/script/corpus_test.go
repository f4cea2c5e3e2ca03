package script

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

// TestCorpus parses the programs in testdata/corpus, written for these
// tests in bpftrace's style and with surftrace's extensions.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.st")
	if len(files) == 0 {
		t.Fatal("no testdata/corpus/*.st")
	}
	parseFiles(t, files)
}

// TestBpftraceTools parses the tools bpftrace installs, which must parse
// unchanged. It skips when bpftrace is not installed.
func TestBpftraceTools(t *testing.T) {
	var files []string
	for _, pattern := range []string{"/usr/share/bpftrace/tools/*.bt", "/usr/sbin/*.bt"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no bpftrace tools installed (apt-get install bpftrace)")
	}
	parseFiles(t, files)
}

func parseFiles(t *testing.T, files []string) {
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := Parse(&lang.Source{Name: file, Text: string(text)})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		checkSpans(t, prog)
	}
}
