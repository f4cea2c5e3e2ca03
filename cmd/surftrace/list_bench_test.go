package main

import (
	"io"
	"os"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// BenchmarkStartList is `surftrace -l` (every kprobe, tracepoint, fentry
// target and stdlib script) on the running kernel: the start path of
// issue 6 for listing.
func BenchmarkStartList(b *testing.B) {
	if os.Getenv(ktest.NoKernelEnv) != "" {
		b.Skip(ktest.NoKernelEnv)
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		b.Skip("no kernel BTF")
	}
	for b.Loop() {
		if err := listProbes("", io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
