package netfix

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// A softnet backlog too small for a burst. A veth without XDP or GRO
// hands what it sends to its peer through the receiving CPU's backlog
// (netif_rx); a UDP GSO send that the device must segment itself puts all
// its segments in that backlog at once, before the softirq drains it, and
// those beyond net.core.netdev_max_backlog are dropped (CPU_BACKLOG).

const maxBacklog = "/proc/sys/net/core/netdev_max_backlog"

// SmallBacklog sets net.core.netdev_max_backlog, which is system-wide,
// to n until the test ends. Keep the test short: every backlog on the
// machine shrinks meanwhile.
func SmallBacklog(t testing.TB, n int) {
	t.Helper()
	old, err := os.ReadFile(maxBacklog)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(maxBacklog, []byte(fmt.Sprint(n)), 0); err != nil {
		t.Fatalf("netdev_max_backlog=%d: %v", n, err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(maxBacklog, []byte(strings.TrimSpace(string(old))), 0); err != nil {
			t.Errorf("restore netdev_max_backlog=%s: %v", old, err)
		}
	})
}

// SoftwareGSO has dev in the namespace segment every GSO packet itself
// (gso_max_segs 1), so that a SendUDPSegmented burst leaves it, and
// reaches its veth peer's backlog, segment by segment.
func (ns *NS) SoftwareGSO(t testing.TB, dev string) {
	t.Helper()
	err := ns.Do(func() error {
		link, err := netlink.LinkByName(dev)
		if err != nil {
			return err
		}
		return netlink.LinkSetGSOMaxSegs(link, 1)
	})
	if err != nil {
		t.Fatalf("gso_max_segs of %s in %q: %v", dev, ns.Name, err)
	}
}

// SendUDPSegmented sends one UDP GSO write (UDP_SEGMENT) from the
// namespace to dst: segs datagrams of size bytes each, in one send.
func (ns *NS) SendUDPSegmented(dst netip.AddrPort, size, segs int) error {
	sa, family := sockaddr(dst)
	return ns.Do(func() error {
		fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_SEGMENT, size); err != nil {
			return fmt.Errorf("UDP_SEGMENT: %w", err)
		}
		if err := unix.Sendto(fd, make([]byte, size*segs), 0, sa); err != nil {
			return fmt.Errorf("udp gso to %v: %w", dst, err)
		}
		return nil
	})
}
