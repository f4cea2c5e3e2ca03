package main

import (
	"io"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
)

// BenchmarkStartList is `surftrace -l` (every kprobe, tracepoint, fentry
// target and stdlib script) on the running kernel: the start path of
// issue 6 for listing, without the on-disk cache (a first run) and with
// it filled (every later run on the same kernel).
func BenchmarkStartList(b *testing.B) {
	ktest.RequireBTF(b)
	b.Run("nocache", func(b *testing.B) {
		b.Setenv(kernel.NoCacheEnv, "1")
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
