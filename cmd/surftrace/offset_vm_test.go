package main

import (
	"bytes"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestSymbolOffsetRefused: an offset inside an instruction (ip_output+2 is
// inside its fentry nop) fails at the +OFF with a message saying the kernel
// refused the offset, not cilium/ebpf's error about the __x64_ name it
// retries with.
func TestSymbolOffsetRefused(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes)
	var stdout, stderr bytes.Buffer
	code := run([]string{"--backend", "bpf", "p ip_output+2 r=%r12"}, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if code != exitRuntime {
		t.Errorf("exit %d, want %d", code, exitRuntime)
	}
	want := "<line 1>:1:12: kprobe at ip_output+0x2: the kernel refused this offset (not an instruction boundary?)\n" +
		"    p ip_output+2 r=%r12\n" +
		"               ^~\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr\n%s\nwant\n%s", got, want)
	}
}
