package netfix

import (
	"net/netip"
	"testing"
	"time"
)

// Veth joins namespaces a and b with a veth pair, gives each end its
// address, brings both ends up, waits until they pass traffic and returns
// their device names. The pair goes away with its namespaces, or at
// cleanup if one end is in the host namespace.
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
	ends := []struct {
		ns   *NS
		dev  string
		addr netip.Prefix
	}{{a, devA, addrA}, {b, devB, addrB}}
	for _, e := range ends {
		err := e.ns.Do(func() error {
			if err := setAddr(e.dev, e.addr); err != nil {
				return err
			}
			return setUp(e.dev)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range ends {
		if err := e.ns.Do(func() error { return waitRunning(e.dev, 5*time.Second) }); err != nil {
			t.Fatal(err)
		}
	}
	return devA, devB
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
	nss := newNamespaces(t, 2)
	p := &Pair{A: nss[0], B: nss[1]}
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
	nss := newNamespaces(t, 3)
	r := &Routed{A: nss[0], R: nss[1], B: nss[2]}
	r.AddrA, r.AddrB = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.2")
	r.DevA, r.DevRA = Veth(t, r.A, netip.MustParsePrefix("192.0.2.1/24"), r.R, netip.MustParsePrefix("192.0.2.2/24"))
	r.DevRB, r.DevB = Veth(t, r.R, netip.MustParsePrefix("198.51.100.1/24"), r.B, netip.MustParsePrefix("198.51.100.2/24"))
	r.R.Sysctl(t, "net.ipv4.ip_forward", "1")
	r.A.IP(t, "route", "add", "default", "via", "192.0.2.2")
	r.B.IP(t, "route", "add", "default", "via", "198.51.100.1")
	return r
}
