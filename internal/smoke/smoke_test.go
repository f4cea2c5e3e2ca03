package smoke

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

const datagrams = 25

// sendToClosedPort sends the test's datagrams from A to a port on B where
// nothing listens, so B drops each one (kfree_skb, reason NO_SOCKET) after
// ip_rcv has seen it. The port is per process, so concurrent test
// binaries count only their own traffic.
func sendToClosedPort(t *testing.T, p *netfix.Pair, dst netip.AddrPort) {
	t.Helper()
	sent, err := p.A.SendUDP(dst, []byte("surftrace smoke"), datagrams, 5*time.Second)
	if err != nil || sent != datagrams {
		t.Fatalf("sent %d of %d datagrams: %v", sent, datagrams, err)
	}
}

func smokePort() uint16 { return uint16(20000 + os.Getpid()%20000) }

// TestTracepointKfreeSkbCountsDrops counts, at the skb:kfree_skb
// tracepoint, the datagrams B drops for lack of a socket.
func TestTracepointKfreeSkbCountsDrops(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints)
	p := netfix.NewPair(t)
	dst := netip.AddrPortFrom(p.AddrB, smokePort())
	// skbaddr follows the 8-byte common header in every kernel's format.
	c := newUDPCounter(t, counterSpec{Type: ebpf.TracePoint, Prologue: asm.Instructions{
		asm.LoadMem(asm.R6, asm.R1, 8, asm.DWord),
		asm.Mov.Imm(asm.R7, 0),
	}}, dst)
	l, err := link.Tracepoint("skb", "kfree_skb", c.Prog, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	sendToClosedPort(t, p, dst)
	if got := c.Wait(t, 0, datagrams, 5*time.Second); got != datagrams {
		t.Fatalf("kfree_skb counted %d drops of UDP to %v, want %d", got, dst, datagrams)
	}
	t.Logf("kernel %s: skb:kfree_skb counted %d of %d datagrams to %v", ktest.Release(), datagrams, datagrams, dst)
}

// TestKprobeIPRcvCountsPackets counts, with a kprobe on ip_rcv, the
// datagrams B receives. It needs kprobes, so it runs in the VM.
func TestKprobeIPRcvCountsPackets(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes)
	p := netfix.NewPair(t)
	dst := netip.AddrPortFrom(p.AddrB, smokePort())
	// ip_rcv's first argument, the sk_buff, arrives in the di register.
	di := memberOffset(t, "pt_regs", "di")
	c := newUDPCounter(t, counterSpec{Type: ebpf.Kprobe, Prologue: asm.Instructions{
		asm.LoadMem(asm.R6, asm.R1, int16(di), asm.DWord),
		asm.Mov.Imm(asm.R7, 0),
	}}, dst)
	l, err := link.Kprobe("ip_rcv", c.Prog, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	sendToClosedPort(t, p, dst)
	if got := c.Wait(t, 0, datagrams, 5*time.Second); got != datagrams {
		t.Fatalf("kprobe:ip_rcv counted %d UDP packets to %v, want %d", got, dst, datagrams)
	}
	t.Logf("kernel %s: kprobe:ip_rcv counted %d of %d datagrams to %v", ktest.Release(), datagrams, datagrams, dst)
}

// multiFuncs are the receive-path functions the kprobe.multi test attaches
// to, each taking the sk_buff as its first argument and each called once
// per datagram B receives for a closed port.
var multiFuncs = []string{"ip_rcv", "ip_local_deliver", "udp_rcv"}

// TestKprobeMultiCountsPackets attaches one program to several skb
// functions through a single kprobe.multi link, each function with its own
// cookie, and counts the datagrams B receives at each. It needs
// kprobe.multi, so it runs in the 6.12 VM.
func TestKprobeMultiCountsPackets(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.KprobeMulti)
	p := netfix.NewPair(t)
	dst := netip.AddrPortFrom(p.AddrB, smokePort())
	di := memberOffset(t, "pt_regs", "di")
	// The cookie of the function hit is its counter slot.
	c := newUDPCounter(t, counterSpec{
		Type:       ebpf.Kprobe,
		AttachType: ebpf.AttachTraceKprobeMulti,
		Prologue: asm.Instructions{
			asm.LoadMem(asm.R6, asm.R1, int16(di), asm.DWord),
			asm.FnGetAttachCookie.Call(),
			asm.Mov.Reg(asm.R7, asm.R0),
		},
		Slots: uint32(len(multiFuncs)),
	}, dst)
	cookies := make([]uint64, len(multiFuncs))
	for i := range cookies {
		cookies[i] = uint64(i)
	}
	l, err := link.KprobeMulti(c.Prog, link.KprobeMultiOptions{Symbols: multiFuncs, Cookies: cookies})
	if err != nil {
		t.Fatalf("kprobe.multi on %v: %v", multiFuncs, err)
	}
	defer l.Close()

	sendToClosedPort(t, p, dst)
	for i, fn := range multiFuncs {
		if got := c.Wait(t, uint32(i), datagrams, 5*time.Second); got != datagrams {
			t.Errorf("kprobe.multi at %s counted %d UDP packets to %v, want %d", fn, got, dst, datagrams)
		}
	}
	t.Logf("kernel %s: one kprobe.multi link on %v counted %d datagrams to %v at each", ktest.Release(), multiFuncs, datagrams, dst)
}
