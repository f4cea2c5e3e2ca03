package main

import (
	"net/netip"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestKfreeSkbReasonByName (host and 6.1 VM): kfree_skb's enum reason prints by name, as
// ftrace prints it, and the filter takes the name. B has no socket on
// port 9988, so A's datagrams there are dropped with NO_SOCKET.
func TestKfreeSkbReasonByName(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	line := `e skb/kfree_skb reason=reason b16_dest=@(struct udphdr *)h skbaddr->dest f:reason==NO_SOCKET&&b16_dest==9988`
	r := traceWhile(t, []string{"--max-events", "2", line}, func() {
		must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), 2, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	lines := fieldsOf(r.lines, "e0")
	if len(lines) != 2 {
		t.Fatalf("e0 printed %d lines, want 2", len(lines))
	}
	for _, l := range lines {
		if l != "reason=NO_SOCKET b16_dest=9988" {
			t.Errorf("e0 printed %q, want reason=NO_SOCKET b16_dest=9988", l)
		}
	}
}
