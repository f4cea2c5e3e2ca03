package pcap_test

import (
	"bytes"
	"context"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/runtime/pcap"
)

// TestCaptureNetifReceive traces fixture UDP traffic at
// net/netif_receive_skb with capture on, writes pcapng and has tshark
// read it back: the addresses, ports and probe comment must be there.
func TestCaptureNetifReceive(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints)
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (apt-get install tshark)")
	}
	pair := netfix.NewPair(t)
	dst := netip.AddrPortFrom(pair.AddrB, 9999)
	sink := pair.B.ListenUDP(t, dst)

	src := &lang.Source{Name: "<line 1>", Text: "e net/netif_receive_skb len=len"}
	prog, err := line.Parse(src, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(prog, &kernel.Host{}, compiler.Options{Capture: 128})
	if err != nil {
		t.Fatal(err)
	}
	if p.Events[0].Capture == nil {
		t.Fatal("no capture in the event")
	}
	tr, err := runtime.Load(p, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Attach(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "out.pcapng")
	w, err := pcap.Create(file, 128)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var text bytes.Buffer
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := tr.Run(ctx, runtime.Output{W: &text, Packet: w.Packet}); err != nil {
			t.Error(err)
		}
	})
	if _, err := pair.A.SendUDP(dst, []byte("surftrace pcap test"), 5, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	sink.Wait(5, 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tshark, "-r", file, "-Y", "udp.dstport == 9999",
		"-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.dstport", "-e", "frame.comment", "-e", "udp.srcport", "-e", "frame.len", "-e", "frame.cap_len", "-e", "eth.type").CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	t.Logf("tshark:\n%s", out)
	want := "192.0.2.1\t192.0.2.2\t9999\te0 net:netif_receive_skb"
	if n := strings.Count(string(out), want); n < 5 {
		t.Errorf("tshark shows %d packets like %q, want 5", n, want)
	}
}
