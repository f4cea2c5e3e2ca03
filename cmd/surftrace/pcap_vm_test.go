package main

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestPcapFilterOnKprobes: kprobe lines filter with f:pcap() on the way
// out (ip_output, skb in %2) and on the way in (ip_rcv, skb in %0), and
// each prints exactly the datagrams the expression selects. Needs kprobes:
// runs in the 6.1 VM.
func TestPcapFilterOnKprobes(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Ringbuf)
	p := netfix.NewPair(t)
	const n = 3
	out := `p ip_output skb=%2 f:pcap("udp and dst host 192.0.2.2 and dst port 47011", skb)`
	in := `p ip_rcv skb=%0 f:pcap("ip and udp[2:2] = 47011 and src 192.0.2.1 and greater 50", skb)`
	sentinel := `p ip_rcv skb=%0 f:pcap("udp dst port 47019", skb)`
	r := traceWhile(t, []string{"--max-events", strconv.Itoa(2*n + 2), out, in, sentinel}, func() {
		must(t, "udp/47012")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47012"), []byte(hello), 2, 5*time.Second))
		must(t, "udp to .1")(p.B.SendUDP(netip.MustParseAddrPort("192.0.2.1:47011"), []byte(hello), 2, 5*time.Second))
		must(t, "short udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47011"), []byte("x"), 1, 5*time.Second))
		p.A.SendTCP(netip.MustParseAddrPort("192.0.2.2:47011"), []byte(hello), 1, time.Second)
		must(t, "udp/47011")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47011"), []byte(hello+hello), n, 5*time.Second))
		time.Sleep(100 * time.Millisecond)
		must(t, "sentinel")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47019"), []byte("end"), 1, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	// The short datagram passes ip_output's filter but not ip_rcv's.
	for probe, want := range map[string]int{"p0": n + 1, "p1": n, "p2": 1} {
		if got := len(fieldsOf(r.lines, probe)); got != want {
			t.Errorf("%s printed %d lines, want %d", probe, got, want)
		}
	}
}
