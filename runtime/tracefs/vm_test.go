package tracefs

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// seed000Line is seed 000's UDP/9988 line, with the filter the seed's
// ftrace text shows.
const seed000Line = `p ip_output proto=@(struct iphdr*)l3%2->protocol ip_dst=@(struct iphdr*)l3%2->daddr b16_dest=@(struct udphdr*)l3%2->dest comm=$comm body=@(struct udphdr*)l3%2->Sdata[0] f:proto==17&&ip_dst==192.0.2.2&&b16_dest==9988`

// TestSeed000UDP runs seed 000's line through the ftrace runner against
// the running kernel's BTF while the fixture sends UDP to port 9988 and to
// 9989, and checks that exactly the 9988 datagrams print, with the right
// ip_dst, b16_dest, comm and body. It needs kprobe_events (the VM).
func TestSeed000UDP(t *testing.T) {
	ktest.RequireFeature(t, ktest.KprobeEvents)
	root := ktest.RequireTracefs(t)
	prog, err := line.Parse(&lang.Source{Name: "<line>", Text: seed000Line}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := compiler.CompileFtrace(prog, &kernel.Host{}, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kprobe_events: %s\nfilter: %s", f.Probes[0].Def, f.Probes[0].Filter)
	pair := netfix.NewPair(t)
	before := snapshot(root)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out syncBuffer
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- Run(ctx, f, Options{Root: root, Out: &out, Ready: func() { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	const n = 3
	payload := []byte("Hello World\x00") // the string fetch stops at the NUL
	for _, port := range []uint16{9989, 9988} {
		if sent, err := pair.A.SendUDP(netip.AddrPortFrom(pair.AddrB, port), payload, n, 10*time.Second); err != nil || sent != n {
			t.Fatalf("SendUDP to %d = %d, %v", port, sent, err)
		}
	}
	waitFor(t, func() bool { return strings.Count(out.String(), "\n") >= n })
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("output:\n%s", out.String())
	want := regexp.MustCompile(`^ {0,16}\S+-\d+ +\[\d{3}\] \d+\.\d{6}: p0: \(ip_output\+0x0\) proto=17 ip_dst=192\.0\.2\.2 b16_dest=9988 comm="([^"]+)" body="Hello World"$`)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("got %d lines, want %d (only port 9988)", len(lines), n)
	}
	for _, l := range lines {
		m := want.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("line %q does not match %v", l, want)
			continue
		}
		if comm := strings.TrimSpace(l[:16]); comm != m[1] || !strings.HasPrefix("tracefs.test", comm) {
			t.Errorf("line %q: comm %q (header %q), want this test binary", l, m[1], comm)
		}
	}
	if after := snapshot(root); after != before {
		t.Errorf("tracefs after the run:\n%s\nwant as before:\n%s", after, before)
	}
}

// TestKernelRejects writes a definition the kernel refuses and checks that
// the error is the kernel's error_log message, positioned at the source
// span of the offending part, and that nothing is left behind.
func TestKernelRejects(t *testing.T) {
	ktest.RequireFeature(t, ktest.KprobeEvents)
	root := ktest.RequireTracefs(t)
	src := &lang.Source{Name: "<line>", Text: "p ip_output x=%2->nosuch"}
	at := func(off int) lang.Pos { return lang.PosAt(src, off) }
	def := "p:GROUP/p0 ip_output x=+0x8(%dx):u9"
	p := &spec.FtraceProbe{Name: "p0", Kind: spec.AttachKprobe, Target: "ip_output", Event: "GROUP/p0", Pos: at(2),
		Def: def, Fields: []*spec.FtraceField{{Name: "x", Type: "u9", Size: 1}},
		Spans: []spec.FtraceSpan{{Text: spec.FtraceDef, Start: strings.Index(def, "+0x8"), End: len(def), Src: lang.Span{Pos: at(14), End: at(24)}}}}
	before := snapshot(root)
	err := Run(context.Background(), &spec.Ftrace{Src: src, Probes: []*spec.FtraceProbe{p}}, Options{Root: root, Out: &syncBuffer{}})
	t.Logf("error:\n%v", err)
	e, ok := lang.AsError(err)
	if !ok || e.Pos.Offset != 14 || !strings.Contains(strings.ToLower(e.Msg), "type") {
		t.Errorf("error %v: want the kernel's message about the type at offset 14", err)
	}
	if after := snapshot(root); after != before {
		t.Errorf("tracefs after the refused run:\n%s\nwant as before:\n%s", after, before)
	}
}
