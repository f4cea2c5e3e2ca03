package main

import (
	"bytes"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestRenamedFunction (host and 6.1 VM, both after 5.10): surftrace's own
// examples trace _do_fork, which this kernel calls kernel_clone; the error
// names it, positioned like every other.
func TestRenamedFunction(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF)
	kallsymsAddr(t, "kernel_clone")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-S", "p _do_fork comm=$comm"}, &stdout, &stderr)
	want := "<line 1>:1:3: unknown kernel function _do_fork\n" +
		"    p _do_fork comm=$comm\n" +
		"      ^~~~~~~~\n" +
		"    (did you mean kernel_clone? it took over from _do_fork in Linux 5.10)\n"
	if code == exitOK || stderr.String() != want {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s", code, stderr.String(), want)
	}
}
