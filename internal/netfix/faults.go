package netfix

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The helpers here build one fault each into a topology, for tests of
// the diagnostic scripts: a qdisc too small, a spoofed source, a closed
// port. NftDrop (nft.go) adds a firewall rule.

// Tc runs `tc` with args inside the namespace and fails the test if it
// fails.
func (ns *NS) Tc(t testing.TB, args ...string) {
	t.Helper()
	if ns.Name != "" {
		args = append([]string{"-n", ns.Name}, args...)
	}
	if out, err := exec.Command("tc", args...).CombinedOutput(); err != nil {
		t.Fatalf("tc %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// SmallHTB gives dev, in the namespace, seed 000's fault: an htb root
// (handle 1:) whose one class 1:10 is limited to rate, with a pfifo child
// (handle 10:) of limit packets, so a burst overflows the fifo and the
// qdisc drops.
func (ns *NS) SmallHTB(t testing.TB, dev, rate string, limit int) {
	t.Helper()
	ns.Tc(t, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10")
	ns.Tc(t, "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate)
	ns.Tc(t, "qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:", "pfifo", "limit", fmt.Sprint(limit))
}

// PingFlood sends count ICMP echo requests with size bytes of payload
// from the namespace to dst back to back, as `ping -f -s size` does,
// without waiting for replies, and stops at the timeout. It returns how
// many the kernel accepted; a full queue may refuse some (ENOBUFS), which
// is counted as sent-and-dropped, not as an error.
func (ns *NS) PingFlood(dst netip.Addr, size, count int, timeout time.Duration) (int, error) {
	var conn net.PacketConn
	err := ns.Do(func() (err error) {
		conn, err = net.ListenPacket("ip4:icmp", "0.0.0.0")
		return err
	})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	deadline := time.Now().Add(timeout)
	conn.SetDeadline(deadline)
	to := &net.IPAddr{IP: dst.AsSlice()}
	id := uint16(echoID.Add(1))
	sent := 0
	for seq := 0; seq < count && time.Now().Before(deadline); seq++ {
		if _, err := conn.WriteTo(echoRequestSize(id, uint16(seq), size), to); err != nil && !errors.Is(err, syscall.ENOBUFS) {
			return sent, fmt.Errorf("icmp flood to %v: %w", dst, err)
		}
		sent++
	}
	return sent, short("icmp echo requests", sent, count)
}

// SendUDPFrom is SendUDP from source address src, which must be an
// address of the namespace; with routes that do not lead back to src, a
// router's reverse-path filter drops the datagrams.
func (ns *NS) SendUDPFrom(src netip.Addr, dst netip.AddrPort, payload []byte, count int, timeout time.Duration) (int, error) {
	return ns.sendUDP(net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0)), dst, payload, count, timeout)
}

// ConnectRefused makes count TCP connection attempts from the namespace to
// dst, where nothing listens, and returns how many were refused (the
// peer answered the SYN with a reset). Any other outcome is an error.
func (ns *NS) ConnectRefused(dst netip.AddrPort, count int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	refused := 0
	for refused < count && time.Now().Before(deadline) {
		err := ns.Do(func() error {
			d := net.Dialer{Deadline: deadline}
			conn, err := d.Dial(network("tcp", dst.Addr()), dst.String())
			if err == nil {
				conn.Close()
				return fmt.Errorf("tcp to %v connected; want it refused", dst)
			}
			return err
		})
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return refused, fmt.Errorf("tcp to %v: %w", dst, err)
		}
		refused++
	}
	return refused, short("refused tcp connections", refused, count)
}

// SpoofedSource gives A an address, 203.0.113.1, that R has no route
// back to, turns on R's strict reverse-path filter (rp_filter=1) for the
// interface facing A, and returns the address. Datagrams A sends from it
// (SendUDPFrom) reach R, which drops them. A announces its primary address
// in ARP (arp_announce=2), so that R, which filters ARP the same way,
// still resolves A.
func (r *Routed) SpoofedSource(t testing.TB) netip.Addr {
	t.Helper()
	spoofed := netip.MustParseAddr("203.0.113.1")
	r.A.IP(t, "addr", "add", spoofed.String()+"/32", "dev", "lo")
	r.A.Sysctl(t, "net.ipv4.conf.all.arp_announce", "2")
	r.R.Sysctl(t, "net.ipv4.conf.all.rp_filter", "1")
	r.R.Sysctl(t, "net.ipv4.conf."+r.DevRA+".rp_filter", "1")
	return spoofed
}
