package main

import (
	"net/netip"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// The latency scripts in scripts/ time each packet between two kernel
// hooks with a per-skb map and print a histogram at exit. These run them
// on fixture traffic and check that every packet sent is in the histogram.

// histTotal sums the counts of the buckets of hist map name in out.
func histTotal(t *testing.T, out, name string) int {
	t.Helper()
	block := regexp.MustCompile(`(?s)` + regexp.QuoteMeta(name) + `: \n(.*?)(\n\n|$)`).FindStringSubmatch(out)
	if block == nil {
		t.Fatalf("no %s histogram in:\n%s", name, out)
	}
	total := 0
	for _, m := range regexp.MustCompile(`(?m)^\[[^\]\n]*[\])] +(\d+) \|[@ ]*\|$`).FindAllStringSubmatch(block[1], -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	return total
}

// TestQdiscLatencyScript: on the host kernel (tracepoints), every datagram
// A sends over the veth passes net_dev_queue and then net_dev_xmit.
func TestQdiscLatencyScript(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	const n = 20
	r := runWhile(t, []string{"--duration", "4s", "../../scripts/qdisclat.st"}, func() {
		must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), n, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	// Other traffic on the machine may add packets, never remove ours.
	if got := histTotal(t, r.stdout, "@usecs"); got < n {
		t.Errorf("@usecs counts %d packets, want at least %d", got, n)
	}
}

// TestIPLatencyScript: in a kernel with kprobes, every datagram B receives
// for its own address passes ip_rcv and then ip_local_deliver.
func TestIPLatencyScript(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Ringbuf)
	p := netfix.NewPair(t)
	p.B.ListenUDP(t, netip.MustParseAddrPort("192.0.2.2:9988"))
	const n = 20
	r := runWhile(t, []string{"--duration", "6s", "../../scripts/iplat.st"}, func() {
		must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), n, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	if got := histTotal(t, r.stdout, "@usecs"); got < n {
		t.Errorf("@usecs counts %d packets, want at least %d", got, n)
	}
}
