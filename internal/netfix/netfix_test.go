package netfix

import (
	"net/netip"
	"testing"
	"time"
)

const n = 20

func TestPairUDP(t *testing.T) {
	p := NewPair(t)
	sink := p.B.ListenUDP(t, netip.AddrPortFrom(p.AddrB, 0))
	sent, err := p.A.SendUDP(sink.Addr, []byte("hello"), n, 5*time.Second)
	if err != nil || sent != n {
		t.Fatalf("SendUDP = %d, %v; want %d", sent, err, n)
	}
	if got := sink.Wait(n, 5*time.Second); got != n {
		t.Errorf("sink got %d datagrams, want %d", got, n)
	}
}

func TestPairTCP(t *testing.T) {
	p := NewPairIn(t, netip.MustParsePrefix("198.51.100.0/24"))
	sink := p.B.ListenTCP(t, netip.AddrPortFrom(p.AddrB, 0))
	sent, err := p.A.SendTCP(sink.Addr, []byte("hello"), 5, 10*time.Second)
	if err != nil || sent != 5 {
		t.Fatalf("SendTCP = %d, %v; want 5", sent, err)
	}
	if got := sink.Wait(5, 5*time.Second); got != 5 {
		t.Errorf("sink got %d connections, want 5", got)
	}
}

func TestRoutedPing(t *testing.T) {
	r := NewRouted(t)
	sent, replies, err := r.A.Ping(r.AddrB, 3, 10*time.Second)
	if err != nil || sent != 3 || replies != 3 {
		t.Fatalf("Ping = %d sent, %d replies, %v; want 3, 3", sent, replies, err)
	}
}

func TestLoopback(t *testing.T) {
	ns := NewNS(t)
	lo := netip.MustParseAddr("127.0.0.1")
	sink := ns.ListenUDP(t, netip.AddrPortFrom(lo, 0))
	if sent, err := ns.SendUDP(sink.Addr, []byte("x"), n, 5*time.Second); err != nil || sent != n {
		t.Fatalf("SendUDP = %d, %v", sent, err)
	}
	if got := sink.Wait(n, 5*time.Second); got != n {
		t.Errorf("loopback sink got %d, want %d", got, n)
	}
	if _, replies, err := ns.Ping(lo, 2, 5*time.Second); err != nil || replies != 2 {
		t.Errorf("loopback ping: %d replies, %v", replies, err)
	}
}

func TestChecksum(t *testing.T) {
	b := echoRequest(1, 2)
	if checksum(b) != 0 {
		t.Errorf("checksum over a checksummed message = %#x, want 0", checksum(b))
	}
}

func TestDelayedPair(t *testing.T) {
	const delay = 20 * time.Millisecond
	p := NewDelayedPair(t, delay)
	sink := p.B.ListenTCP(t, netip.AddrPortFrom(p.AddrB, 0))
	start := time.Now()
	if sent, err := p.A.SendTCP(sink.Addr, []byte("hello"), 1, 5*time.Second); err != nil || sent != 1 {
		t.Fatalf("SendTCP = %d, %v; want 1", sent, err)
	}
	// The handshake alone is a round trip, held on the way to B.
	if took := time.Since(start); took < delay {
		t.Errorf("a connection took %v, less than the line's delay %v", took, delay)
	}
	if got := sink.Wait(1, 5*time.Second); got != 1 {
		t.Errorf("sink got %d connections, want 1", got)
	}
}

func TestRoutedIPv6(t *testing.T) {
	r := NewRouted(t)
	_, b := r.AddIPv6(t)
	sink := r.B.ListenUDP(t, netip.AddrPortFrom(b, 0))
	if sent, err := r.A.SendUDP(sink.Addr, []byte("hello"), n, 5*time.Second); err != nil || sent != n {
		t.Fatalf("SendUDP = %d, %v; want %d", sent, err, n)
	}
	// The first datagrams may wait for neighbour discovery, and a few be
	// dropped meanwhile; most arrive.
	if got := sink.Wait(n/2, 5*time.Second); got < n/2 {
		t.Errorf("sink got %d of %d datagrams over IPv6", got, n)
	}
}
