package compiler

import (
	"os"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// The start path (issue 6): compiling seed 000's ip_output line against
// the running kernel, with a fresh HostKernel each time (cold: BTF parsed,
// tracepoints listed) and with one reused (warm: BTF kept).

func seed000(b *testing.B) *lang.Program {
	b.Helper()
	if os.Getenv(ktest.NoKernelEnv) != "" {
		b.Skip(ktest.NoKernelEnv)
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		b.Skip("no kernel BTF")
	}
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

func benchCompile(b *testing.B, fresh func() *HostKernel) {
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

func BenchmarkStartCompileCold(b *testing.B) {
	benchCompile(b, func() *HostKernel { return &HostKernel{} })
}

func BenchmarkStartCompileWarm(b *testing.B) {
	k := &HostKernel{}
	benchCompile(b, func() *HostKernel { return k })
}
