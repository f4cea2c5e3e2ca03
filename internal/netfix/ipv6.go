package netfix

import (
	"fmt"
	"net/netip"
	"testing"
)

// IPv6 on the topologies: addresses of the 2001:db8::/32 documentation
// prefix beside the IPv4 ones, added with `ip` (nodad: usable at once,
// without duplicate address detection's second of waiting).

// AddIPv6 gives A 2001:db8:1::1/64 and B 2001:db8:1::2/64 on the veth
// pair and returns them.
func (p *Pair) AddIPv6(t testing.TB) (a, b netip.Addr) {
	t.Helper()
	a, b = netip.MustParseAddr("2001:db8:1::1"), netip.MustParseAddr("2001:db8:1::2")
	ipBatch(t, p.A.Name, fmt.Sprintf("addr add %s/64 dev %s nodad\n", a, p.DevA))
	ipBatch(t, p.B.Name, fmt.Sprintf("addr add %s/64 dev %s nodad\n", b, p.DevB))
	return a, b
}

// AddIPv6 gives the routed line IPv6 as it has IPv4: A 2001:db8:1::1/64,
// R 2001:db8:1::2/64 and 2001:db8:2::1/64, B 2001:db8:2::2/64; R
// forwards, and is A's and B's default route. It returns A's and B's
// addresses.
func (r *Routed) AddIPv6(t testing.TB) (a, b netip.Addr) {
	t.Helper()
	a, b = netip.MustParseAddr("2001:db8:1::1"), netip.MustParseAddr("2001:db8:2::2")
	ipBatch(t, r.A.Name, fmt.Sprintf("addr add %s/64 dev %s nodad\nroute add ::/0 via 2001:db8:1::2\n", a, r.DevA))
	ipBatch(t, r.R.Name, fmt.Sprintf("addr add 2001:db8:1::2/64 dev %s nodad\naddr add 2001:db8:2::1/64 dev %s nodad\n", r.DevRA, r.DevRB))
	ipBatch(t, r.B.Name, fmt.Sprintf("addr add %s/64 dev %s nodad\nroute add ::/0 via 2001:db8:2::1\n", b, r.DevB))
	r.R.Sysctl(t, "net.ipv6.conf.all.forwarding", "1")
	return a, b
}
