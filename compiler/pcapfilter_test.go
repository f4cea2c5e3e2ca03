package compiler

import (
	"strings"
	"testing"
)

// TestPcapFtraceRefused: kprobe_events filters cannot read packets, so the
// ftrace lowering names the bpf backend at the call.
func TestPcapFtraceRefused(t *testing.T) {
	_, err := CompileFtrace(parseLine(t, `e skb/kfree_skb f:pcap("udp", skbaddr)`), fakeKernel(t), Options{})
	if err == nil || !strings.Contains(err.Error(), `1:19: ftrace filters cannot read packets: pcap() needs the bpf backend`) {
		t.Fatalf("got %v, want the bpf backend named at 1:19", err)
	}
}
