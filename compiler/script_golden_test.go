package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestGoldenScripts compiles testdata/*.st against the fake kernel and
// compares listing, events and maps with testdata/*.golden.
func TestGoldenScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.st")
	if len(files) == 0 {
		t.Fatal("no testdata/*.st")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := script.Parse(&lang.Source{Name: filepath.Base(file), Text: string(text)})
			if err != nil {
				t.Fatal(err)
			}
			p, err := Compile(prog, fakeKernel(t), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := Listing(p) + describe(p) + describeScript(p)
			golden := strings.TrimSuffix(file, ".st") + ".golden"
			compareGolden(t, golden, got)
		})
	}
}

// describeScript prints event kinds and formats and the script maps.
func describeScript(p *spec.Program) string {
	var b strings.Builder
	for _, e := range p.Events {
		b.WriteString("event " + itoa(int(e.ID)) + " kind=" + itoa(int(e.Kind)) + " probe=" + itoa(e.Probe))
		if e.Format != "" {
			b.WriteString(" format=" + strings.ReplaceAll(e.Format, "\n", `\n`))
		}
		if e.Map != "" {
			b.WriteString(" map=" + e.Map)
		}
		b.WriteString("\n")
	}
	for _, m := range p.ScriptMaps {
		spec := p.Maps[m.Name]
		b.WriteString("map " + m.Name + " kind=" + itoa(int(m.Kind)) + " " + spec.Type.String() +
			" key=" + itoa(int(spec.KeySize)) + " value=" + itoa(int(spec.ValueSize)))
		for _, f := range m.Key {
			b.WriteString(" k@" + itoa(f.Offset) + "/" + itoa(f.Size) + ":" + f.Render.String())
		}
		if m.Value != nil {
			b.WriteString(" v/" + itoa(m.Value.Size) + ":" + m.Value.Render.String())
		}
		b.WriteString("\n")
	}
	return b.String()
}
