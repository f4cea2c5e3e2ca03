package netfix

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Veth joins namespaces a and b with a veth pair, gives each end its
// address, brings both ends up and returns their device names. The pair
// goes away with its namespaces (or explicitly, for the host end).
func Veth(t testing.TB, a *NS, addrA netip.Prefix, b *NS, addrB netip.Prefix) (devA, devB string) {
	t.Helper()
	devA, devB = uniqueName("a"), uniqueName("b")
	args := []string{"link", "add", "name", devA}
	if a.Name != "" {
		args = append(args, "netns", a.Name)
	}
	args = append(args, "type", "veth", "peer", "name", devB)
	if b.Name != "" {
		args = append(args, "netns", b.Name)
	}
	ip(t, args...)
	if a.Name == "" {
		t.Cleanup(func() { ip(t, "link", "del", devA) })
	}
	a.IP(t, "addr", "add", addrA.String(), "dev", devA)
	b.IP(t, "addr", "add", addrB.String(), "dev", devB)
	a.IP(t, "link", "set", devA, "up")
	b.IP(t, "link", "set", devB, "up")
	a.waitUp(t, devA)
	b.waitUp(t, devB)
	return devA, devB
}

// waitUp waits until dev's operational state is UP. The kernel turns the
// carrier on asynchronously (linkwatch, up to a second later when links
// change in quick succession) and until then drops what is sent.
func (ns *NS) waitUp(t testing.TB, dev string) {
	t.Helper()
	args := []string{"-o", "link", "show", "dev", dev}
	if ns.Name != "" {
		args = append([]string{"-n", ns.Name}, args...)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := exec.Command("ip", args...).Output()
		if err == nil && strings.Contains(string(out), " state UP ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s in %q not up after 5s: %s", dev, ns.Name, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pair is two namespaces, A and B, joined by one veth pair.
type Pair struct {
	A, B         *NS
	DevA, DevB   string     // veth ends, in A and in B
	AddrA, AddrB netip.Addr // the ends' addresses
}

// NewPair returns A (192.0.2.1/24) and B (192.0.2.2/24) joined by veth.
func NewPair(t testing.TB) *Pair {
	t.Helper()
	return NewPairIn(t, netip.MustParsePrefix("192.0.2.0/24"))
}

// NewPairIn returns two namespaces joined by veth, addressed .1 and .2 in
// subnet, which should be a TEST-NET block such as 198.51.100.0/24.
func NewPairIn(t testing.TB, subnet netip.Prefix) *Pair {
	t.Helper()
	p := &Pair{A: NewNS(t), B: NewNS(t)}
	p.AddrA = subnet.Addr().Next()
	p.AddrB = p.AddrA.Next()
	p.DevA, p.DevB = Veth(t, p.A, netip.PrefixFrom(p.AddrA, subnet.Bits()), p.B, netip.PrefixFrom(p.AddrB, subnet.Bits()))
	return p
}

// Routed is three namespaces in a line, A — R — B: A is 192.0.2.1/24 and
// B is 198.51.100.2/24; the router R holds .2 and .1 of those subnets,
// forwards between them and is each end's default gateway.
type Routed struct {
	A, R, B      *NS
	AddrA, AddrB netip.Addr
	DevA, DevB   string // A's and B's veth ends
	DevRA, DevRB string // R's ends facing A and B
}

// NewRouted builds the Routed topology.
func NewRouted(t testing.TB) *Routed {
	t.Helper()
	r := &Routed{A: NewNS(t), R: NewNS(t), B: NewNS(t)}
	r.AddrA, r.AddrB = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.2")
	r.DevA, r.DevRA = Veth(t, r.A, netip.MustParsePrefix("192.0.2.1/24"), r.R, netip.MustParsePrefix("192.0.2.2/24"))
	r.DevRB, r.DevB = Veth(t, r.R, netip.MustParsePrefix("198.51.100.1/24"), r.B, netip.MustParsePrefix("198.51.100.2/24"))
	r.R.Sysctl(t, "net.ipv4.ip_forward", "1")
	r.A.IP(t, "route", "add", "default", "via", "192.0.2.2")
	r.B.IP(t, "route", "add", "default", "via", "198.51.100.1")
	return r
}
