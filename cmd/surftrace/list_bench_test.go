package main

import (
	"io"
	"os"
	"testing"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
)

// BenchmarkStartList is `surftrace -l` (every kprobe, tracepoint, fentry
// target and stdlib script) on the running kernel: the start path of
// issue 6 for listing, without the on-disk cache (a first run) and with
// it filled (every later run on the same kernel).
func BenchmarkStartList(b *testing.B) {
	if os.Getenv(ktest.NoKernelEnv) != "" {
		b.Skip(ktest.NoKernelEnv)
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		b.Skip("no kernel BTF")
	}
	b.Run("nocache", func(b *testing.B) {
		b.Setenv(compiler.NoCacheEnv, "1")
		benchList(b)
	})
	b.Run("cached", func(b *testing.B) {
		b.Setenv("XDG_CACHE_HOME", b.TempDir())
		if err := listProbes("", io.Discard, io.Discard); err != nil { // fill it
			b.Fatal(err)
		}
		benchList(b)
	})
}

func benchList(b *testing.B) {
	for b.Loop() {
		if err := listProbes("", io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
