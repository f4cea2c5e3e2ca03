package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

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
	warmARP(t, host, addrB)
	warmARP(t, peer, addrA)

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

// A tc probe is passive: a counting program attached before it (a tcx
// program at the tail, or a clsact filter of a later priority) still
// sees every datagram the probe saw, as the probe returns TC_ACT_UNSPEC
// and the chain goes on past it.
func TestTCProbePassive(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	ktest.RequireRoot(t)
	host, peer := netfix.Host(), netfix.NewNS(t)
	devA, _ := netfix.Veth(t, host, netip.MustParsePrefix("198.51.100.81/28"), peer, netip.MustParsePrefix("198.51.100.82/28"))
	dst := netip.MustParseAddrPort("198.51.100.82:7003")
	warmARP(t, host, dst.Addr())
	count := countingTC(t, devA)
	tr, err := Load(compileHostScript(t, "tc:egress:"+devA+` { @n[pcap("udp and dst port 7003", skb)] = count(); }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Attach(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var buf bytes.Buffer
	go func() { done <- tr.Run(ctx, Output{W: &buf, Format: Text}) }()
	const n = 19
	if _, err := host.SendUDP(dst, []byte("x"), n, 5*time.Second); err != nil {
		t.Error(err)
	}

	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	if !strings.Contains(buf.String(), fmt.Sprintf("@n[1]: %d\n", n)) {
		t.Errorf("the probe did not count %d datagrams:\n%s", n, buf.String())
	}
	if got := count(); got < n {
		t.Errorf("the program after the probe counted %d packets, want at least %d", got, n)
	}
}

// warmARP resolves dst's neighbour entry in ns with a ping, so that no
// datagram of the test waits for ARP (a lost first request delays the
// next by a second).
func warmARP(t *testing.T, ns *netfix.NS, dst netip.Addr) {
	t.Helper()
	if _, replies, err := ns.Ping(dst, 1, 5*time.Second); replies != 1 {
		t.Fatalf("ping %v: %d replies, %v", dst, replies, err)
	}
}

// countingTC attaches to dev's egress a program that counts packets and
// returns TC_ACT_UNSPEC: a tcx program at the tail where the kernel has
// tcx, else a filter of priority 100 on a clsact qdisc the test adds.
func countingTC(t *testing.T, dev string) func() uint64 {
	t.Helper()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.SchedCLS, License: "GPL", Instructions: asm.Instructions{
		asm.StoreImm(asm.R10, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.R10),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, -1).WithSymbol("out"),
		asm.Return(),
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	l, err := netlink.LinkByName(dev)
	if err != nil {
		t.Fatal(err)
	}
	tcx, err := link.AttachTCX(link.TCXOptions{Interface: l.Attrs().Index, Program: prog, Attach: ebpf.AttachTCXEgress})
	switch {
	case err == nil:
		t.Cleanup(func() { tcx.Close() })
	case errors.Is(err, ebpf.ErrNotSupported):
		if err := netfix.AddClsact(dev); err != nil {
			t.Fatal(err)
		}
		f := &netlink.BpfFilter{FilterAttrs: netlink.FilterAttrs{LinkIndex: l.Attrs().Index, Parent: netlink.HANDLE_MIN_EGRESS,
			Handle: 1, Priority: 100, Protocol: unix.ETH_P_ALL}, Fd: prog.FD(), Name: "counter", DirectAction: true}
		if err := netlink.FilterAdd(f); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { netlink.FilterDel(f) })
	default:
		t.Fatal(err)
	}
	return func() uint64 {
		var v uint64
		if err := m.Lookup(uint32(0), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
}
