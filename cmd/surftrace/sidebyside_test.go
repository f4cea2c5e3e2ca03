package main

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestTwoTracersSideBySide: two surftrace processes trace the same
// tracepoint at once with different filters. Each sees exactly its own
// datagrams, and the first one's exit (and cleanup) does not stop the
// second. The IP length tells the datagrams apart: 28 bytes of headers
// plus the payload; each tracer's last event is a sentinel of its own
// length, sent after a pause, so once it prints every event before it has.
func TestTwoTracersSideBySide(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	for _, backend := range []string{"bpf", "ftrace"} {
		t.Run(backend, func(t *testing.T) { sideBySide(t, backend) })
	}
}

type tracerSpec struct {
	payload, sentinel int // payload sizes
	n                 int // datagrams of payload size it must see
}

func (s tracerSpec) line() string {
	return "e net/netif_receive_skb len=len f:len==" + strconv.Itoa(s.payload+28) + "||len==" + strconv.Itoa(s.sentinel+28)
}

func sideBySide(t *testing.T, backend string) {
	p := netfix.NewPair(t)
	dst := netip.MustParseAddrPort("192.0.2.2:9988")
	send := func(size, n int) {
		t.Helper()
		must(t, "udp")(p.A.SendUDP(dst, make([]byte, size), n, 5*time.Second))
	}
	a := tracerSpec{payload: 1111, sentinel: 1333, n: 5}
	b := tracerSpec{payload: 1222, sentinel: 1444, n: 3 + 4}
	start := func(s tracerSpec) *cliProc {
		return startCLI(t, "-q", "--backend", backend, "--duration", "60s", "--max-events", strconv.Itoa(s.n+1), s.line())
	}
	pa, pb := start(a), start(b)
	if backend == "ftrace" {
		for _, p := range []*cliProc{pa, pb} {
			if len(ftraceLeft(t, p.pid())) != 1 {
				t.Errorf("pid %d has no instance of its own", p.pid())
			}
		}
	}
	send(a.payload, a.n)
	send(b.payload, 3)
	time.Sleep(200 * time.Millisecond)
	send(a.sentinel, 1)
	if code := pa.wait(t, 20*time.Second); code != exitOK {
		t.Errorf("first tracer: exit %d", code)
	}
	// The first tracer is gone, the second must still see everything.
	if backend == "ftrace" && len(ftraceLeft(t, pb.pid())) != 1 {
		t.Errorf("the first tracer's exit removed the second's instance")
	}
	send(b.payload, 4)
	time.Sleep(200 * time.Millisecond)
	send(b.sentinel, 1)
	if code := pb.wait(t, 20*time.Second); code != exitOK {
		t.Errorf("second tracer: exit %d", code)
	}
	for _, c := range []struct {
		p *cliProc
		s tracerSpec
	}{{pa, a}, {pb, b}} {
		if c.p.stderr.Len() > 0 {
			t.Errorf("pid %d stderr: %s", c.p.pid(), c.p.stderr.String())
		}
		lines := parseTrace(t, c.p.stdout.String())
		want := make([]string, 0, c.s.n+1)
		for range c.s.n {
			want = append(want, "len="+strconv.Itoa(c.s.payload+28))
		}
		want = append(want, "len="+strconv.Itoa(c.s.sentinel+28))
		got := make([]string, len(lines))
		for i, l := range lines {
			got[i] = l.Fields
		}
		if joinLines(got) != joinLines(want) {
			t.Errorf("pid %d saw\n%s\nwant\n%s", c.p.pid(), joinLines(got), joinLines(want))
		}
		if left := ftraceLeft(t, c.p.pid()); len(left) > 0 {
			t.Errorf("pid %d left %q", c.p.pid(), left)
		}
	}
}

func joinLines(l []string) string { // one line each, newline-terminated
	s := ""
	for _, x := range l {
		s += x + "\n"
	}
	return s
}
