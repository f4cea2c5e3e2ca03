package main

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// End-to-end tests of expression lines on tracepoints, which both kernels
// have: fixture traffic goes between namespaces, and the decoded values
// surftrace prints are compared with what was sent.

const hello = "Hello World"

// TestKfreeSkbDecodesUDP: B has no socket on port 9988, so it drops every
// datagram A sends there through kfree_skb. The h-tagged casts read the
// headers from skb->head whatever skb->data points at.
func TestKfreeSkbDecodesUDP(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	const n = 5
	udp := `e skb/kfree_skb proto=@(struct iphdr *)h skbaddr->protocol ` +
		`ip_src=@(struct iphdr *)h skbaddr->saddr ip_dst=@(struct iphdr *)h skbaddr->daddr ` +
		`b16_sport=@(struct udphdr *)h skbaddr->source b16_dest=@(struct udphdr *)h skbaddr->dest ` +
		`B16_len=@(struct udphdr *)h skbaddr->len body=@(struct udphdr *)h skbaddr->Sdata[0] ` +
		`f:proto==17&&ip_dst==192.0.2.2&&b16_dest==9988`
	// The sentinel comes last: once it prints, everything before it has.
	sentinel := `e skb/kfree_skb b16_dest=@(struct udphdr *)h skbaddr->dest f:b16_dest==9999`
	r := traceWhile(t, []string{"--max-events", "6", udp, sentinel}, func() {
		// Traffic the filter must keep out: another port, other payload,
		// and TCP to the same port (refused, so also freed).
		must(t, "udp/9989")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9989"), []byte("other"), 3, 5*time.Second))
		p.A.SendTCP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte("tcp"), 1, time.Second)
		must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), n, 5*time.Second))
		time.Sleep(200 * time.Millisecond)
		must(t, "sentinel")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9999"), []byte("end"), 1, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	lines := fieldsOf(r.lines, "e0")
	if len(lines) != n {
		t.Fatalf("e0 printed %d lines, want %d", len(lines), n)
	}
	// The source port is the sender's ephemeral one; all else is known.
	for _, l := range r.lines {
		if l.Loc != "skb:kfree_skb" {
			t.Errorf("location %q, want skb:kfree_skb", l.Loc)
		}
	}
	wantRE := `^proto=17 ip_src=192\.0\.2\.1 ip_dst=192\.0\.2\.2 b16_sport=\d+ b16_dest=9988 B16_len=0x13 body=`
	for _, l := range lines {
		if !regexpMatch(wantRE, l) {
			t.Errorf("e0 printed\n\t%s\nwant\n\t%s", l, wantRE)
		}
	}
	wantPayload(t, lines, "body", hello)
	wantFields(t, r, "e1", 1, "b16_dest=9999")
}

// TestNetifReceiveSkbDecodesUDP: at net:netif_receive_skb on B's veth end
// skb->data points at the IP header (eth_type_trans pulled the Ethernet
// header), so the l3 casts apply.
func TestNetifReceiveSkbDecodesUDP(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	sink := p.B.ListenUDP(t, netip.MustParseAddrPort("192.0.2.2:9988"))
	const n = 4
	line := `e net/netif_receive_skb ip_src=@(struct iphdr *)l3 skbaddr->saddr ` +
		`ip_dst=@(struct iphdr *)l3 skbaddr->daddr b16_dest=@(struct udphdr *)l3 skbaddr->dest ` +
		`x=@(struct udphdr *)l3 skbaddr->cdata[0] Sdata=@(struct udphdr *)l3 skbaddr->Sdata[6] ` +
		`f:ip_src==192.0.2.1&&b16_dest==9988&&len>=20`
	sentinel := `e net/netif_receive_skb b16_dest=@(struct udphdr *)l3 skbaddr->dest f:b16_dest==9999`
	r := traceWhile(t, []string{"--max-events", "5", line, sentinel}, func() {
		must(t, "udp/9989")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9989"), []byte(hello), 3, 5*time.Second))
		must(t, "udp/9988 from B")(p.B.SendUDP(netip.MustParseAddrPort("192.0.2.1:9988"), []byte(hello), 2, 5*time.Second))
		must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), n, 5*time.Second))
		sink.Wait(n, 5*time.Second)
		must(t, "sentinel")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9999"), []byte("end"), 1, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	// 'H' is 72; Sdata[6] starts at "World".
	e0 := fieldsOf(r.lines, "e0")
	if len(e0) != n {
		t.Errorf("e0 printed %d lines, want %d", len(e0), n)
	}
	for _, l := range e0 {
		if want := `ip_src=192.0.2.1 ip_dst=192.0.2.2 b16_dest=9988 x=72 Sdata=`; !strings.HasPrefix(l, want) {
			t.Errorf("e0 printed\n\t%s\nwant it to start\n\t%s", l, want)
		}
	}
	wantPayload(t, e0, "Sdata", "World")
	wantFields(t, r, "e1", 1, "b16_dest=9999")
	for _, l := range r.lines {
		if l.Loc != "net:netif_receive_skb" {
			t.Errorf("location %q, want net:netif_receive_skb", l.Loc)
		}
	}
}
