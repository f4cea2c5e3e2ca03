package runtime

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// tc probes on the host end of a veth pair count exactly the datagrams
// the test sends each way, and leave no tcx link, filter or qdisc behind.
// The host (6.6 and later) attaches through tcx; the 6.1 VM through a
// clsact qdisc the tracer adds and removes. With a clsact qdisc already
// there, the tracer keeps it.
func TestTCProbe(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	ktest.RequireRoot(t)
	for _, pre := range []bool{false, true} {
		t.Run(fmt.Sprintf("clsact_before=%v", pre), func(t *testing.T) { testTCProbe(t, pre) })
	}
}

func testTCProbe(t *testing.T, clsactBefore bool) {
	host, peer := netfix.Host(), netfix.NewNS(t)
	devA, _ := netfix.Veth(t, host, netip.MustParsePrefix("198.51.100.65/28"), peer, netip.MustParsePrefix("198.51.100.66/28"))
	if clsactBefore {
		if err := netfix.AddClsact(devA); err != nil {
			t.Fatal(err)
		}
	}
	addrA, addrB := netip.MustParseAddr("198.51.100.65"), netip.MustParseAddr("198.51.100.66")
	// Resolve the neighbours first, so that no datagram waits for ARP.
	host.SendUDP(netip.AddrPortFrom(addrB, 9), []byte("warm"), 1, time.Second)
	peer.SendUDP(netip.AddrPortFrom(addrA, 9), []byte("warm"), 1, time.Second)
	time.Sleep(200 * time.Millisecond)

	const out, in = 23, 17
	p := compileHostScript(t, strings.NewReplacer("DEV", devA).Replace(`
tc:egress:DEV { @out[pcap("udp and dst port 7001", skb)] = count(); }
tc:ingress:DEV /pcap("udp and dst port 7002", skb)/ { @in = count(); @len = sum(skb->len); }`))
	tr, err := Load(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Attach(); err != nil {
		tr.Close()
		t.Fatal(err)
	}
	if s, err := netfix.TC(devA); err != nil || s.TCX+s.Filters != 2 {
		t.Errorf("%s while attached: %+v %v, want 2 tcx programs or filters", devA, s, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var buf bytes.Buffer
	go func() { done <- tr.Run(ctx, Output{W: &buf, Format: Text}) }()
	if _, err := host.SendUDP(netip.AddrPortFrom(addrB, 7001), make([]byte, 10), out, 5*time.Second); err != nil {
		t.Error(err)
	}
	if _, err := peer.SendUDP(netip.AddrPortFrom(addrA, 7002), make([]byte, 10), in, 5*time.Second); err != nil {
		t.Error(err)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	if err := tr.Close(); err != nil {
		t.Error(err)
	}
	got := buf.String()
	t.Logf("output:\n%s", got)
	// 10 bytes of payload, 8 of UDP, 20 of IPv4 and 14 of Ethernet: at
	// ingress too skb->len counts the Ethernet header, which the kernel
	// pushes back before it runs a tc program.
	for _, want := range []string{fmt.Sprintf("@out[1]: %d\n", out), fmt.Sprintf("@in: %d\n", in), fmt.Sprintf("@len: %d\n", in*52)} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if s, err := netfix.TC(devA); err != nil || s != (netfix.TCState{Clsact: clsactBefore}) {
		t.Errorf("%s after Close: %+v %v, want nothing but the qdisc the test added", devA, s, err)
	}
}
