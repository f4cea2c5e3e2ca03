package main

import (
	"io"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// BenchmarkStart is a whole run of a program that exits in BEGIN, as one
// process would make it (a fresh kernel view each time, the on-disk
// cache as earlier runs left it): the start path docs/performance.md
// measures against bpftrace.
func BenchmarkStart(b *testing.B) {
	ktest.RequireRoot(b)
	ktest.RequireBTF(b)
	for _, bc := range []struct{ name, prog string }{
		{"begin", `BEGIN { exit(); }`},
		{"tracepoint", `tracepoint:skb:kfree_skb { @[args->reason] = count(); } BEGIN { exit(); }`},
		{"numeric", `tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); } BEGIN { exit(); }`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if code := run([]string{"-e", bc.prog}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
			}
		})
	}
}
