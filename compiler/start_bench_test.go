package compiler

import (
	"os"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// The start path (issue 6): compiling seed 000's ip_output line against
// the running kernel, with a fresh kernel.Host each time (cold: BTF parsed,
// tracepoints listed, with and without the on-disk cache) and with one
// reused (warm: BTF and symbols kept).

func seed000(b *testing.B) *lang.Program {
	b.Helper()
	ktest.RequireBTF(b)
	text, err := os.ReadFile("testdata/seed000.lines")
	if err != nil {
		b.Fatal(err)
	}
	prog, err := line.Parse(&lang.Source{Name: "seed000.lines", Text: string(text)}, 0)
	if err != nil {
		b.Fatal(err)
	}
	return prog
}

func benchCompile(b *testing.B, fresh func() *kernel.Host) {
	prog := seed000(b)
	k := fresh()
	for b.Loop() {
		if fresh != nil {
			k = fresh()
		}
		if _, err := Compile(prog, k, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Cold: a fresh kernel.Host without the on-disk cache (a first run).
func BenchmarkStartCompileCold(b *testing.B) {
	benchCompile(b, func() *kernel.Host { return &kernel.Host{NoCache: true} })
}

// ColdCached: a fresh kernel.Host whose on-disk cache a run before filled
// (every later run on the same kernel).
func BenchmarkStartCompileColdCached(b *testing.B) {
	dir := b.TempDir()
	benchCompile(b, func() *kernel.Host { return &kernel.Host{CacheDir: dir} })
}

// Warm: one kernel.Host for every compile (the REPL, a script's lines).
func BenchmarkStartCompileWarm(b *testing.B) {
	k := &kernel.Host{NoCache: true}
	benchCompile(b, func() *kernel.Host { return k })
}
