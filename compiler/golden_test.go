package compiler

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenListings compiles the seed lines against the fake kernel and
// compares the listings (asm with source comments) with testdata/*.golden.
func TestGoldenListings(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.lines")
	if len(files) == 0 {
		t.Fatal("no testdata/*.lines")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{}
			if strings.Contains(file, "stack") {
				opts.Stack = true
			}
			prog, err := line.Parse(&lang.Source{Name: filepath.Base(file), Text: string(text)}, 0)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Compile(prog, fakeKernel(t), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := Listing(p) + describe(p)
			golden := strings.TrimSuffix(file, ".lines") + ".golden"
			compareGolden(t, golden, got)
		})
	}
}

// describe prints the events' layouts and the maps.
func describe(p *spec.Program) string {
	var b strings.Builder
	for _, e := range p.Events {
		b.WriteString("event " + p.Probes[e.Probe].Name + ":")
		for _, f := range e.Fields {
			b.WriteString(" " + f.Name + "@" + itoa(f.Offset) + "/" + itoa(f.Size) + ":" + f.Render.String())
		}
		if e.Stack >= 0 {
			b.WriteString(" stack@" + itoa(e.Stack))
		}
		b.WriteString("\n")
	}
	for _, name := range []string{spec.EventsMap, spec.LostMap, ScratchMap, spec.StacksMap} {
		if m, ok := p.Maps[name]; ok {
			b.WriteString("map " + name + " " + m.Type.String() + " value=" + itoa(int(m.ValueSize)) + " entries=" + itoa(int(m.MaxEntries)) + "\n")
		}
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// compareGolden compares got with the golden file, or rewrites the file
// under -update.
func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("listing differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}
