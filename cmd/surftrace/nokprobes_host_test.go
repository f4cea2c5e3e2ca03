package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestNoKprobesSuggestsTracepoints: on a kernel without kprobes (this
// host's 6.18), a p line fails at attach, positioned at the function, and
// names tracepoints that see its struct sk_buff.
func TestNoKprobesSuggestsTracepoints(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints)
	if ktest.Check(ktest.Kprobes) == nil {
		t.Skip("this kernel has kprobes")
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"p ip_output proto=%2->protocol"}, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if code != exitRuntime {
		t.Errorf("exit %d, want %d", code, exitRuntime)
	}
	want := "<line 1>:1:3: this kernel has no kprobes (CONFIG_KPROBES is off): p ip_output cannot attach\n" +
		"    p ip_output proto=%2->protocol\n" +
		"      ^~~~~~~~~\n" +
		"    (tracepoints that see a struct sk_buff: "
	if got := stderr.String(); !strings.HasPrefix(got, want) || !strings.Contains(got, "skb:") ||
		!strings.Contains(got, ", ...; e.g. e ") {
		t.Errorf("stderr\n%s\nwant prefix\n%s\nand skb: tracepoints among them", got, want)
	}
}
