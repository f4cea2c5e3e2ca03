package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestPcapFilterOnTracepoint: a script filters net:netif_receive_skb with
// pcap() in a predicate and in an expression line's f:, and both see
// exactly the datagrams the expression selects among other UDP, TCP and
// ICMP traffic over the veth pair. The tracepoint sees every namespace,
// and other tests send to 192.0.2.2:9988 at the same time, so the ports
// are ones no other test uses.
func TestPcapFilterOnTracepoint(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	script := filepath.Join(t.TempDir(), "pcap.st")
	src := `tracepoint:net:netif_receive_skb
/pcap("udp and src host 192.0.2.1 and dst port 47011 and greater 50", args->skbaddr)/
{ printf("hit len=%d\n", args->len); }

e net/netif_receive_skb len=len f:pcap("udp and src host 192.0.2.1 and dst port 47011 and greater 50", skbaddr)

tracepoint:net:netif_receive_skb /pcap("udp dst port 47019 or udp dst port 47018", args->skbaddr)/ { exit(); }
`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	const n = 5
	r := runWhile(t, []string{script}, func() {
		// Traffic the filter keeps out: another port, the other direction,
		// TCP to the same port (refused), a short datagram, pings.
		must(t, "udp/47012")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47012"), []byte(hello), 3, 5*time.Second))
		must(t, "udp from B")(p.B.SendUDP(netip.MustParseAddrPort("192.0.2.1:47011"), []byte(hello), 2, 5*time.Second))
		p.A.SendTCP(netip.MustParseAddrPort("192.0.2.2:47011"), []byte(hello), 1, time.Second)
		must(t, "short udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47011"), []byte("x"), 2, 5*time.Second))
		p.A.Ping(netip.MustParseAddr("192.0.2.2"), 2, 2*time.Second)
		must(t, "udp/47011")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47011"), []byte(hello+hello), n, 5*time.Second))
		time.Sleep(200 * time.Millisecond)
		must(t, "sentinel")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:47019"), []byte("end"), 1, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	// The datagrams are 64 bytes counted from an Ethernet header (so
	// greater 50 keeps the 43-byte short ones out); the tracepoint's len
	// counts from the IP header: 50.
	if got := strings.Count(r.stdout, "hit len=50\n"); got != n || strings.Count(r.stdout, "hit ") != n {
		t.Errorf("the predicate passed %d matching datagrams (%d lines in all), want exactly %d", got, strings.Count(r.stdout, "hit "), n)
	}
	if got := strings.Count(r.stdout, "e0: (net:netif_receive_skb) len=50\n"); got != n || strings.Count(r.stdout, "e0: ") != n {
		t.Errorf("the line's filter passed %d matching datagrams (%d lines in all), want exactly %d", got, strings.Count(r.stdout, "e0: "), n)
	}
}
