package main

import (
	"bytes"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// runPath runs `surftrace run path ARGS...`, calls traffic once every
// probe is attached, waits a second for the last hops and stops it with
// SIGINT.
func runPath(t *testing.T, traffic func(), args ...string) (stdout, stderr string) {
	t.Helper()
	p := startCLIWithin(t, nil, pathReady, append([]string{"run", "path"}, args...)...)
	traffic()
	time.Sleep(time.Second)
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, pathReady); code != exitOK {
		t.Fatalf("run path %q: exit %d\n%s", args, code, p.stderr.String())
	}
	return p.stdout.String(), p.stderr.String()
}

// anyHop matches any hop line: the hop, the layer, the protocol, the
// destination port.
var anyHop = regexp.MustCompile(`(?m)^\d+ +(\S+) +(\S+) +\d+ +\S* +(\S+) +\S+:\d+ > \S+:(\d+) 0x[0-9a-f]+ \d+$`)

// sendTwo sends three datagrams from A to B's port 8080 (DNAT makes it
// 9090, where B listens) and one to port 7070, where nobody listens.
// *received counts what the sink received over the calls.
func sendTwo(t *testing.T, r *netfix.Routed, sink *netfix.Sink, received *int) func() {
	return func() {
		if n, err := r.A.SendUDP(netip.MustParseAddrPort("198.51.100.2:8080"), []byte("hello"), 3, 5*time.Second); err != nil {
			t.Fatalf("sent %d: %v", n, err)
		}
		*received += 3
		if got := sink.Wait(*received, 10*time.Second); got != *received {
			t.Fatalf("B received %d of %d datagrams", got, *received)
		}
		if n, err := r.A.SendUDP(netip.MustParseAddrPort("198.51.100.2:7070"), []byte("x"), 1, 5*time.Second); err != nil {
			t.Fatalf("sent %d: %v", n, err)
		}
	}
}

// TestPathFilters: the pcap-filter argument and the filter parameters
// select the packets whose path is shown, and -t what is attached: the
// filter for port 8080 shows that packet before and after DNAT and not
// the one to 7070; the parameters for 7070 the reverse; --proto tcp
// nothing; -t link-out compiles fewer programs and shows only that
// layer's hops.
func TestPathFilters(t *testing.T) {
	ktest.RequireFeature(t, ktest.TpBTF, ktest.Ringbuf)
	r := dnatRouted(t)
	sink := r.B.ListenUDP(t, netip.MustParseAddrPort("198.51.100.2:9090"))
	received := 0
	ports := func(out string) map[string]bool {
		seen := map[string]bool{}
		for _, m := range anyHop.FindAllStringSubmatch(out, -1) {
			seen[m[4]] = true
		}
		return seen
	}
	out, _ := runPath(t, sendTwo(t, r, sink, &received), "udp and dst port 8080")
	if p := ports(out); !p["8080"] || !p["9090"] || p["7070"] {
		t.Errorf("'udp and dst port 8080': destination ports %v, want 8080 and 9090, not 7070\n%s", p, out)
	}
	out, _ = runPath(t, sendTwo(t, r, sink, &received), "--saddr", "192.0.2.1", "--dport", "7070", "--proto", "udp")
	if p := ports(out); !p["7070"] || p["8080"] || p["9090"] {
		t.Errorf("--saddr --dport 7070 --proto udp: destination ports %v, want 7070 only\n%s", p, out)
	}
	out, _ = runPath(t, sendTwo(t, r, sink, &received), "--proto", "tcp", "--addr", "198.51.100.2")
	if m := anyHop.FindAllString(out, -1); len(m) > 0 {
		t.Errorf("--proto tcp: %d hops of UDP packets: %q", len(m), m)
	}
	all, allErr := runPath(t, sendTwo(t, r, sink, &received), "-v", "--no-track", "udp")
	out, stderr := runPath(t, sendTwo(t, r, sink, &received), "-v", "-t", "link-out", "--no-track", "udp")
	progs := regexp.MustCompile(`surftrace: (\d+) programs`)
	n1, n2 := progs.FindStringSubmatch(allErr), progs.FindStringSubmatch(stderr)
	if n1 == nil || n2 == nil {
		t.Fatalf("no program count with -v:\n%s\n%s", allErr, stderr)
	}
	if a, b := atoi(n1[1]), atoi(n2[1]); b >= a || b < 2 {
		t.Errorf("-t link-out compiled %d programs, all layers %d", b, a)
	}
	hops := anyHop.FindAllStringSubmatch(out, -1)
	if len(hops) == 0 || len(anyHop.FindAllString(all, -1)) <= len(hops) {
		t.Errorf("-t link-out: %d hops, all layers %d\n%s", len(hops), len(anyHop.FindAllString(all, -1)), out)
	}
	for _, m := range hops {
		if m[2] != "link-out" {
			t.Errorf("-t link-out shows a hop of layer %s: %s", m[2], m[0])
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TestPathTimeline: --timeline prints each packet's hops together when
// it is freed (here three datagrams dropped for want of a socket),
// under a line naming the skb, its tuple and the number of hops; each
// hop's delta is the time since the hop before.
func TestPathTimeline(t *testing.T) {
	ktest.RequireFeature(t, ktest.TpBTF, ktest.Ringbuf)
	r := dnatRouted(t)
	sink := r.B.ListenUDP(t, netip.MustParseAddrPort("198.51.100.2:9090"))
	received := 0
	out, _ := runPath(t, func() {
		for range 3 {
			sendTwo(t, r, sink, &received)()
		}
	}, "--timeline", "udp and dst port 7070")
	head := regexp.MustCompile(`^skb (0x[0-9a-f]+) udp 192\.0\.2\.1:\d+ > 198\.51\.100\.2:7070, (\d+) hops(?: \(the first 32 shown\))?$`)
	hop := regexp.MustCompile(`^  (\d+) +\+(\d+) +(\S+) +(\S+) +(\d+) +(\d+)$`)
	lines := strings.Split(out, "\n")
	groups := 0
	for i := 0; i < len(lines); i++ {
		m := head.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		groups++
		n := min(atoi(m[2]), 32)
		if n < 2 || i+n >= len(lines) {
			t.Errorf("%s: want at least two hops", lines[i])
			continue
		}
		prev := -1
		for _, l := range lines[i+1 : i+1+n] {
			h := hop.FindStringSubmatch(l)
			if h == nil {
				t.Fatalf("not a hop under %q: %q\n%s", lines[i], l, out)
			}
			at, delta := atoi(h[1]), atoi(h[2])
			if prev < 0 && delta != 0 || prev >= 0 && (at-prev-delta > 1 || at-prev-delta < -1) {
				t.Errorf("hop %q: delta %d, want the time since the hop before (%d)", l, delta, at-prev)
			}
			prev = at
		}
		i += n
	}
	if groups < 3 {
		t.Errorf("%d packet groups, want 3 (one a datagram)\n%s", groups, out)
	}
}

// TestPathIPv6 follows a datagram to [::1]:7070, where nobody listens,
// in a namespace of its own: its hops print the IPv6 tuple, and --addr
// takes the IPv6 address.
func TestPathIPv6(t *testing.T) {
	ktest.RequireFeature(t, ktest.TpBTF, ktest.Ringbuf)
	ns := netfix.NewRouted(t).A
	out, _ := runPath(t, func() {
		if n, err := ns.SendUDP(netip.MustParseAddrPort("[::1]:7070"), []byte("six"), 2, 5*time.Second); err != nil {
			t.Fatalf("sent %d: %v", n, err)
		}
	}, "--addr", "::1", "--dport", "7070")
	if !regexp.MustCompile(`(?m) udp +\[::1\]:\d+ > \[::1\]:7070 0x[0-9a-f]+ \d+$`).MatchString(out) {
		t.Errorf("no IPv6 hop to [::1]:7070:\n%s", out)
	}
}

// TestPathRet: --ret prints the return values of the hops' functions
// (kretprobes); a kernel without them says so once and runs without.
func TestPathRet(t *testing.T) {
	ktest.RequireFeature(t, ktest.TpBTF, ktest.Ringbuf)
	r := dnatRouted(t)
	sink := r.B.ListenUDP(t, netip.MustParseAddrPort("198.51.100.2:9090"))
	received := 0
	out, stderr := runPath(t, sendTwo(t, r, sink, &received), "--ret", "-t", "udp,ip-in", "udp and dst port 8080")
	if ktest.Check(ktest.Kprobes) != nil && !ktest.InVM() {
		if strings.Count(stderr, "this kernel has no kprobes") != 1 ||
			!strings.Contains(stderr, "cannot see ip-in, return-values, clones; sees udp without kprobes;") {
			t.Errorf("no kretprobes: want one note naming the layers and the return values left out:\n%s", stderr)
		}
		return
	}
	rets := regexp.MustCompile(`(?m)^\d+ +(\S+) +ret +returned (-?\d+) for 0x[0-9a-f]+$`).FindAllStringSubmatch(out, -1)
	fns := map[string]bool{}
	for _, m := range rets {
		fns[m[1]] = true
	}
	if !fns["ip_rcv"] && !fns["ip_forward"] && !fns["udp_rcv"] {
		t.Errorf("no return value of ip_rcv, ip_forward or udp_rcv; returned: %v\n%s", fns, out)
	}
}

// TestPathBadParams: a bad parameter or filter is one line and exit
// status 2.
func TestPathBadParams(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-t", "udp,lnk-in"}, `path: -t: "lnk-in" is none of link-in, link-out,`},
		{[]string{"--tcp-flags", "syn,sin"}, `path: --tcp-flags: "sin" is none of fin, syn, rst, psh, ack, urg`},
		{[]string{"--proto", "sctp"}, `path: --proto: "sctp" is none of tcp, udp, icmp, icmp6`},
		{[]string{"--port", "http"}, `path: --port takes an integer, not "http"`},
		{[]string{"--addr", "192.0.2.300"}, `path: --addr: pton: "192.0.2.300" is not an IPv4 or IPv6 address`},
		{[]string{"udp and"}, `path: filter "udp and": unexpected end of filter`},
		{[]string{"--bogus"}, `path: unknown parameter --bogus`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"run", "path"}, c.args...), &stdout, &stderr); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", c.args, code, exitUsage)
		}
		if got := stderr.String(); !strings.Contains(got, c.want) || strings.Count(got, "\n") != 1 {
			t.Errorf("%q: stderr %q, want one line with %q", c.args, got, c.want)
		}
	}
}
