package main

import (
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// dnatRouted is netfix's A — R — B with R rewriting UDP to B's port 8080
// to port 9090 (nftables DNAT in prerouting).
func dnatRouted(t *testing.T) *netfix.Routed {
	t.Helper()
	nft, err := exec.LookPath("nft")
	if err != nil {
		t.Skip("nft is not installed (apt-get install nftables)")
	}
	r := netfix.NewRouted(t)
	cmd := exec.Command("ip", "netns", "exec", r.R.Name, nft, "-f", "-")
	cmd.Stdin = strings.NewReader(`table ip pathtest {
	chain pre { type nat hook prerouting priority dstnat; udp dport 8080 dnat to 198.51.100.2:9090; }
}
`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v\n%s", err, out)
	}
	return r
}

// pathReady bounds how long run path may take to load and attach, and to
// detach: minutes under the VM's emulation (TCG), where it compiles,
// verifies and attaches some 150 programs to 500 functions.
const pathReady = 6 * time.Minute

// hopLine matches a hop of run path: the hop, the tuple and the skb.
var hopLine = regexp.MustCompile(`(?m)^\d+ +(\S+) +(\S+) +(\d+) +(\S*) +udp +192\.0\.2\.1:(\d+) > 198\.51\.100\.2:(\d+) (0x[0-9a-f]+) \d+$`)

// TestPathDNAT sends three UDP datagrams from A to B's port 8080 through
// R, which rewrites the port to 9090, under run path: the same skb shows
// with port 8080 before the rewrite and 9090 after it, in R's and B's
// namespaces, until it is freed. Another datagram to a port nobody
// listens on ends at a drop. SIGINT leaves no BPF object behind.
func TestPathDNAT(t *testing.T) {
	ktest.RequireFeature(t, ktest.TpBTF, ktest.Ringbuf)
	r := dnatRouted(t)
	sink := r.B.ListenUDP(t, netip.MustParseAddrPort("198.51.100.2:9090"))
	p := startCLIWithin(t, nil, pathReady, "-v", "run", "path", "192.0.2.1", "8080")
	held := heldBPF(t, p.pid())
	if n, err := r.A.SendUDP(netip.MustParseAddrPort("198.51.100.2:8080"), []byte("hello"), 3, 5*time.Second); err != nil {
		t.Fatalf("sent %d: %v", n, err)
	}
	if got := sink.Wait(3, 10*time.Second); got != 3 {
		t.Fatalf("B received %d of 3 datagrams", got)
	}
	time.Sleep(time.Second)
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, pathReady); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	wantBPFGone(t, "after SIGINT", held)
	ports := map[string]map[int]bool{} // skb -> destination ports seen
	netns := map[string]map[string]bool{}
	for _, m := range hopLine.FindAllStringSubmatch(p.stdout.String(), -1) {
		skb := m[7]
		dport, _ := strconv.Atoi(m[6])
		if ports[skb] == nil {
			ports[skb], netns[skb] = map[int]bool{}, map[string]bool{}
		}
		ports[skb][dport] = true
		netns[skb][m[3]] = true
	}
	both := 0
	for skb, seen := range ports {
		if seen[8080] && seen[9090] && len(netns[skb]) >= 3 {
			both++
		}
	}
	if both < 1 {
		t.Errorf("no skb seen with port 8080 and 9090 in three namespaces; ports by skb %v, namespaces %v", ports, netns)
	}
	if ktest.InVM() || ktest.Check(ktest.Kprobes) == nil {
		m := regexp.MustCompile(`attached (\d+) of (\d+) functions`).FindStringSubmatch(p.stderr.String())
		if m == nil {
			t.Fatalf("no attach report with -v")
		}
		if n, _ := strconv.Atoi(m[1]); n < 100 {
			t.Errorf("attached %s functions, want at least 100", m[1])
		}
		if !regexp.MustCompile(`(?m) (ip_forward|ip_rcv|nf_nat_\w+|nft_do_chain\w*) +(ip-in|netfilter) `).MatchString(p.stdout.String()) {
			t.Errorf("no ip-in or netfilter hop from the kprobe layers")
		}
		if strings.Contains(p.stderr.String(), "cannot see") || strings.Contains(p.stderr.String(), "no kprobes") {
			t.Errorf("a note on layers left out on a kernel with kprobes:\n%s", p.stderr.String())
		}
		return
	}
	// Without kprobes, one line names the layers left out by their labels.
	const note = "surftrace: this kernel has no kprobes (CONFIG_KPROBES is off): " +
		"cannot see netfilter, ip-in, ip-out, routing, clones; " +
		"sees link-in, link-out, sched, tcp, udp, icmp, life without kprobes; " +
		"left out kprobe:skb_consume_udp(struct sk_buff *)\n"
	if strings.Count(p.stderr.String(), "no kprobes") != 1 || !strings.Contains(p.stderr.String(), note) {
		t.Errorf("want the one note on the layers left out\n%s\nstderr:\n%s", note, p.stderr.String())
	}
}

// TestPathDrop sends a datagram to a port of B nobody listens on: its
// path ends with the drop, reason NO_SOCKET by name.
func TestPathDrop(t *testing.T) {
	ktest.RequireFeature(t, ktest.TpBTF, ktest.Ringbuf)
	r := netfix.NewRouted(t)
	p := startCLIWithin(t, nil, pathReady, "run", "path", "192.0.2.1", "7777")
	if n, err := r.A.SendUDP(netip.MustParseAddrPort("198.51.100.2:7777"), []byte("x"), 1, 5*time.Second); err != nil {
		t.Fatalf("sent %d: %v", n, err)
	}
	time.Sleep(2 * time.Second)
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, pathReady); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	out := p.stdout.String()
	drops := regexp.MustCompile(`(?m)^\d+ +kfree_skb +life +dropped: (\S+) at (\S+)$`).FindAllStringSubmatch(out, -1)
	if len(drops) != 1 || drops[0][2] != "__udp4_lib_rcv" {
		t.Fatalf("drop lines %q, want one at __udp4_lib_rcv", drops)
	}
	m := drops[0]
	if m[1] != "SKB_DROP_REASON_NO_SOCKET" { // the BTF enumerator, as bpftrace prints an enum with %s
		t.Errorf("drop reason %s, want SKB_DROP_REASON_NO_SOCKET", m[1])
	}
	if !hopLine.MatchString(out[:strings.Index(out, m[0])]) {
		t.Errorf("no hop before the drop")
	}
}

// TestPathEntryTC runs path with --entry tc on the host end of a veth
// pair: the tc classifier matches the datagrams to port 7777 at the
// device's egress, and the hops after it (in the peer's namespace too)
// follow their skbs through @track alone; the datagrams to port 7778 show
// nowhere. Nothing stays on the device afterwards.
func TestPathEntryTC(t *testing.T) {
	ktest.RequireFeature(t, ktest.TpBTF, ktest.Ringbuf)
	ktest.RequireRoot(t)
	host, peer := netfix.Host(), netfix.NewNS(t)
	dev, _ := netfix.Veth(t, host, netip.MustParsePrefix("203.0.113.81/28"), peer, netip.MustParsePrefix("203.0.113.82/28"))
	if _, replies, err := host.Ping(netip.MustParseAddr("203.0.113.82"), 1, 5*time.Second); replies != 1 { // resolve the neighbour first
		t.Fatalf("ping: %d replies, %v", replies, err)
	}
	p := startCLIWithin(t, nil, pathReady, "run", "path", "203.0.113.82", "7777", "--entry", "tc", "--dev", dev)
	for _, port := range []uint16{7777, 7778} {
		if n, err := host.SendUDP(netip.AddrPortFrom(netip.MustParseAddr("203.0.113.82"), port), []byte("x"), 3, 5*time.Second); err != nil {
			t.Fatalf("sent %d: %v", n, err)
		}
	}
	time.Sleep(2 * time.Second)
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, pathReady); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	out := p.stdout.String()
	line := regexp.MustCompile(`(?m)^\d+ +(\S+) +\S+ +\d+ +\S* +udp +203\.0\.113\.81:\d+ > 203\.0\.113\.82:(\d+) (0x[0-9a-f]+) \d+$`)
	// The kernel may reuse a freed skb's address for the next datagram:
	// hops count per tc entry line, in order.
	entries, skb, hops := 0, "", map[int]int{}
	for _, m := range line.FindAllStringSubmatch(out, -1) {
		switch {
		case m[2] != "7777":
			t.Errorf("a hop of a datagram to port %s: %s", m[2], m[0])
		case m[1] == "tc:egress:"+dev:
			entries++
			skb = m[3]
		case m[3] == skb:
			hops[entries]++
		}
	}
	if entries != 3 {
		t.Errorf("%d datagrams matched at tc:egress:%s, want 3:\n%s", entries, dev, out)
	}
	for i := 1; i <= entries; i++ {
		if hops[i] < 3 {
			t.Errorf("datagram %d: %d hops after the tc entry, want at least 3:\n%s", i, hops[i], out)
		}
	}
	if s, err := netfix.TC(dev); err != nil || s != (netfix.TCState{}) {
		t.Errorf("%s after the run: %+v %v", dev, s, err)
	}
}
