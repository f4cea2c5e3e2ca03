package runtime

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// With Verbose, LogSize bounds the verifier log as bpftrace's
// BPFTRACE_LOG_SIZE does: a program whose log does not fit fails to load,
// naming the probe; one that fits loads.
func TestLoadLogSize(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	p := compileHostScript(t, `BEGIN { printf("hello\n"); exit(); }`)
	_, err := Load(p, Options{Verbose: true, LogSize: 1})
	if err == nil || !strings.Contains(err.Error(), "Error loading program: BEGIN: the verifier log of ") ||
		!strings.Contains(err.Error(), "does not fit in BPFTRACE_LOG_SIZE, 1 bytes") {
		t.Fatalf("LogSize 1: %v", err)
	}
	for _, opts := range []Options{{Verbose: true, LogSize: 1 << 20}, {LogSize: 1}} {
		tr, err := Load(p, opts)
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		tr.Close()
	}
}
