package netfix

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Each fault really loses the traffic: the sink behind it counts nothing,
// or the kernel's own counter for the fault moves.

func TestNftDropInput(t *testing.T) {
	for _, family := range []string{"inet", "ip"} {
		t.Run(family, func(t *testing.T) {
			p := NewPair(t)
			sink := p.B.ListenUDP(t, netip.AddrPortFrom(p.AddrB, 0))
			d := p.B.NftDrop(t, family, "input", UDP, sink.Addr.Port())
			if d.Handle == 0 {
				t.Errorf("rule handle is 0")
			}
			if _, err := p.A.SendUDP(sink.Addr, []byte("x"), 5, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if got := sink.Wait(1, 500*time.Millisecond); got != 0 {
				t.Errorf("sink behind the drop rule got %d datagrams", got)
			}
		})
	}
}

func TestNftDropForward(t *testing.T) {
	r := NewRouted(t)
	sink := r.B.ListenUDP(t, netip.AddrPortFrom(r.AddrB, 0))
	r.R.NftDrop(t, "inet", "forward", UDP, sink.Addr.Port())
	if _, err := r.A.SendUDP(sink.Addr, []byte("x"), 5, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := sink.Wait(1, 500*time.Millisecond); got != 0 {
		t.Errorf("sink behind the forward drop rule got %d datagrams", got)
	}
}

func TestRPFilter(t *testing.T) {
	r := NewRouted(t)
	spoofed := r.SpoofedSource(t)
	sink := r.B.ListenUDP(t, netip.AddrPortFrom(r.AddrB, 0))
	if _, err := r.A.SendUDPFrom(spoofed, sink.Addr, []byte("x"), 5, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := sink.Wait(1, 500*time.Millisecond); got != 0 {
		t.Errorf("sink got %d datagrams from a source R has no route back to", got)
	}
	if _, err := r.A.SendUDP(sink.Addr, []byte("x"), 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := sink.Wait(1, 5*time.Second); got != 1 {
		t.Errorf("control datagram from A's own address: sink got %d, want 1", got)
	}
}

func TestSmallHTB(t *testing.T) {
	p := NewPair(t)
	p.A.SmallHTB(t, p.DevA, "1mbit", 2)
	if _, err := p.A.PingFlood(p.AddrB, 1200, 50, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if drops := qdiscDrops(t, p.A, p.DevA); drops == 0 {
		t.Errorf("a 50-packet flood through pfifo limit 2 at 1mbit dropped nothing")
	}
}

// qdiscDrops sums the drop counters of dev's qdiscs in ns, read over
// netlink.
func qdiscDrops(t *testing.T, ns *NS, dev string) uint32 {
	h, err := netns.GetFromPath(filepath.Join("/run/netns", ns.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	nl, err := netlink.NewHandleAt(h, unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	link, err := nl.LinkByName(dev)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := nl.QdiscList(link)
	if err != nil {
		t.Fatal(err)
	}
	var drops uint32
	for _, q := range qs {
		if st := q.Attrs().Statistics; st != nil && st.Queue != nil {
			drops += st.Queue.Drops
		}
	}
	return drops
}

func TestNoRoute(t *testing.T) {
	r := NewRouted(t)
	// R forwards to the two subnets it sits on and has no route to
	// 203.0.113.0/24: it answers with ICMP net unreachable.
	if _, err := r.A.SendUDP(netip.MustParseAddrPort("203.0.113.9:9"), []byte("x"), 3, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestConnectRefused(t *testing.T) {
	p := NewPair(t)
	if n, err := p.A.ConnectRefused(netip.AddrPortFrom(p.AddrB, 9), 2, 5*time.Second); err != nil || n != 2 {
		t.Fatalf("ConnectRefused = %d, %v; want 2", n, err)
	}
}
