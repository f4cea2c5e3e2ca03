package netobj

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/netfix"
)

// where returns ns's inode and dev's ifindex in it.
func where(t *testing.T, ns *netfix.NS, dev string) (uint64, int) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join("/run/netns", ns.Name), &st); err != nil {
		t.Fatal(err)
	}
	var ifindex int
	if err := ns.Do(func() error {
		ifi, err := net.InterfaceByName(dev)
		if err == nil {
			ifindex = ifi.Index
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return st.Ino, ifindex
}

// TestQdisc: seed 000's fault reads as the htb class and its pfifo child
// with limit 2 on the right device, with the drops the flood caused.
func TestQdisc(t *testing.T) {
	p := netfix.NewPair(t)
	p.A.SmallHTB(t, p.DevA, "1mbit", 2)
	if _, err := p.A.PingFlood(p.AddrB, 1200, 50, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	inode, ifindex := where(t, p.A, p.DevA)
	got := Qdisc(inode, ifindex)
	want := `^dev ` + p.DevA + `: htb 1: root backlog \d+b \d+p drops \d+ overlimits \d+ > class 1:10 htb rate 1Mbit ceil 1Mbit > pfifo 10: limit 2p backlog \d+b \d+p drops [1-9]\d* overlimits \d+$`
	if !regexp.MustCompile(want).MatchString(got) {
		t.Errorf("Qdisc = %q\nwant match for %s", got, want)
	}
	if got := Qdisc(inode, 9999); !regexp.MustCompile(`ifindex 9999 .*: `).MatchString(got) {
		t.Errorf("Qdisc of a missing device = %q, want an error in the text", got)
	}
}

// TestSysctl: the reverse-path filter of the router's device facing A,
// with the value for all.
func TestSysctl(t *testing.T) {
	r := netfix.NewRouted(t)
	r.SpoofedSource(t)
	inode, ifindex := where(t, r.R, r.DevRA)
	got := Sysctl(inode, ifindex, "net.ipv4.conf.DEV.rp_filter")
	if want := "net.ipv4.conf." + r.DevRA + ".rp_filter=1 (net.ipv4.conf.all.rp_filter=1)"; got != want {
		t.Errorf("Sysctl = %q, want %q", got, want)
	}
	if got := Sysctl(inode, ifindex, "net.ipv4.ip_forward"); got != "net.ipv4.ip_forward=1" {
		t.Errorf("Sysctl(ip_forward) = %q", got)
	}
}

// TestNftRule: the drop rule of each family matches the packet it drops,
// IPv4 or IPv6, with its table, chain, hook, handle and text; another
// port matches none, nor does a packet of the other family than an ip or
// ip6 table's.
func TestNftRule(t *testing.T) {
	for _, tc := range []struct {
		family string
		v6     bool
	}{{"inet", false}, {"ip", false}, {"inet", true}, {"ip6", true}} {
		p := netfix.NewPair(t)
		d := p.B.NftDrop(t, tc.family, "input", netfix.UDP, 5353)
		inode, _ := where(t, p.B, p.DevB)
		pkt := Packet{L4: netfix.UDP, Src: p.AddrA, Dst: p.AddrB, Sport: 40000, Dport: 5353}
		other := pkt
		other.Src, other.Dst = netip.MustParseAddr("2001:db8:1::1"), netip.MustParseAddr("2001:db8:1::2")
		if tc.v6 {
			pkt, other = other, pkt
		}
		want := fmt.Sprintf("table %s surftrace_%s chain input_drop (hook input) rule handle %d `meta l4proto 17 th dport 5353 drop` matches it (read from the ruleset now, not the kernel's verdict)", tc.family, tc.family, d.Handle)
		if got := NftRule(inode, pkt); got != want {
			t.Errorf("NftRule(%v) = %q\nwant %q", pkt.Dst, got, want)
		}
		if got := NftRule(inode, other); tc.family != "inet" && got != "no nftables rule drops it" {
			t.Errorf("NftRule(%v) in a table of family %s = %q", other.Dst, tc.family, got)
		}
		pkt.Dport = 53
		if got := NftRule(inode, pkt); got != "no nftables rule drops it" {
			t.Errorf("NftRule(port 53) = %q", got)
		}
	}
}

// TestTcFilter: a bpf filter on a device's ingress reads as its
// preference, its program's id and name, and direct-action; egress has
// none.
func TestTcFilter(t *testing.T) {
	p := netfix.NewPair(t)
	d := p.B.TcDropIPv4(t, p.DevB)
	inode, ifindex := where(t, p.B, p.DevB)
	want := fmt.Sprintf(`dev %s ingress: pref 1 bpf prog id %d name %s "%s" direct-action`, p.DevB, d.ProgID, d.Name, d.Name)
	if got := TcFilter(inode, ifindex, "ingress"); got != want {
		t.Errorf("TcFilter = %q\nwant %q", got, want)
	}
	if got, want := TcFilter(inode, ifindex, "egress"), "dev "+p.DevB+" egress: none"; got != want {
		t.Errorf("TcFilter(egress) = %q, want %q", got, want)
	}
}

func TestXdp(t *testing.T) {
	p := netfix.NewPair(t)
	inode, ifindex := where(t, p.B, p.DevB)
	if got, want := Xdp(inode, ifindex), "dev "+p.DevB+" xdp: no program attached"; got != want {
		t.Errorf("Xdp before = %q, want %q", got, want)
	}
	x := p.B.XdpDropIPv4(t, p.DevB, netfix.XDPDrop, netfix.XDPGeneric)
	want := fmt.Sprintf("dev %s xdp: generic (skb) mode prog id %d name %s", p.DevB, x.ProgID, x.Name)
	if got := Xdp(inode, ifindex); got != want {
		t.Errorf("Xdp = %q\nwant %q", got, want)
	}
}

func TestSoftnet(t *testing.T) {
	re := regexp.MustCompile(`^cpu 0 softnet_stat: processed [1-9]\d* dropped \d+ time_squeeze \d+$`)
	if got := Softnet(0); !re.MatchString(got) {
		t.Errorf("Softnet(0) = %q, want a match for %s", got, re)
	}
	if got, want := Softnet(1<<20), "softnet_stat: no row for cpu 1048576"; got != want {
		t.Errorf("Softnet(1<<20) = %q, want %q", got, want)
	}
}
