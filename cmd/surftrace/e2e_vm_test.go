package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// End-to-end tests of the seeds' kprobe lines. They need kprobes, so they
// run in the Debian 6.1 VM (make vmtest) and skip on hosts without them.

// commOfSelf is how the kernel names this test binary's threads: its file
// name cut to 15 bytes.
var commOfSelf = func() string {
	b, _ := os.ReadFile("/proc/self/comm")
	return strings.TrimSpace(string(b))
}()

// seed000 is seed 000's ip_output line, with the seed's filter address
// replaced by the fixture's.
const seed000 = `p ip_output proto=@(struct iphdr*)l3%2->protocol ip_dst=@(struct iphdr*)l3%2->daddr ` +
	`b16_dest=@(struct udphdr*)l3%2->dest comm=$comm body=@(struct udphdr*)l3%2->Sdata[0] ` +
	`f:proto==17&&ip_dst==192.0.2.2&&b16_dest==9988`

// TestSeed000IPOutput: a process in namespace A sends "Hello World" to
// 192.0.2.2:9988; the line prints its comm and body for every datagram,
// and nothing for datagrams to another port or address.
func TestSeed000IPOutput(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Ringbuf)
	p := netfix.NewPair(t)
	const n = 3
	sentinel := `p ip_output b16_dest=@(struct udphdr*)l3%2->dest f:b16_dest==9999`
	r := traceWhile(t, []string{"--max-events", strconv.Itoa(n + 1), seed000, sentinel}, func() {
		must(t, "udp/9989")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9989"), []byte(hello), 2, 5*time.Second))
		must(t, "udp to .1")(p.B.SendUDP(netip.MustParseAddrPort("192.0.2.1:9988"), []byte(hello), 2, 5*time.Second))
		must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), n, 5*time.Second))
		time.Sleep(100 * time.Millisecond)
		must(t, "sentinel")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9999"), []byte("end"), 1, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	e0 := fieldsOf(r.lines, "p0")
	if len(e0) != n {
		t.Errorf("p0 printed %d lines, want %d", len(e0), n)
	}
	want := `proto=17 ip_dst=192.0.2.2 b16_dest=9988 comm="` + commOfSelf + `" body=`
	for _, l := range e0 {
		if !strings.HasPrefix(l, want) {
			t.Errorf("p0 printed\n\t%s\nwant it to start\n\t%s", l, want)
		}
	}
	wantPayload(t, e0, "body", hello)
	wantFields(t, r, "p1", 1, "b16_dest=9999")
	for _, l := range r.lines {
		if l.Loc != "ip_output+0x0" || l.Comm != commOfSelf {
			t.Errorf("want (ip_output+0x0) from %s: %q", commOfSelf, l.Raw)
		}
	}
}

// TestSeed000Stacks: -s prints the kernel stack under every hit; a UDP
// send reaches ip_output through udp_send_skb.
func TestSeed000Stacks(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Ringbuf)
	p := netfix.NewPair(t)
	r := traceWhile(t, []string{"-s", "--max-events", "2", seed000}, func() {
		must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), 2, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	frame := regexp.MustCompile(`^ => \S+\+0x[0-9a-f]+( \[\w+\])?$`)
	var frames, hits int
	sawUDP := false
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, " => "):
			frames++
			if !frame.MatchString(l) {
				t.Errorf("bad frame %q", l)
			}
			sawUDP = sawUDP || strings.Contains(l, "udp_send_skb")
		default:
			hits++
			if hits > 1 && frames == 0 {
				t.Errorf("no stack under a hit")
			}
		}
	}
	if hits != 2 || frames < 4 || !sawUDP {
		t.Errorf("want 2 hits with stacks through udp_send_skb; got %d hits, %d frames", hits, frames)
	}
}

// TestSeed004Fork: seed 004 traces _do_fork; 6.1 forks through
// kernel_clone(struct kernel_clone_args *), so the task and its comm are
// read where the new task is woken, and the return value is the child's pid.
func TestSeed004Fork(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Kretprobes, ktest.Ringbuf)
	wake := `p wake_up_new_task comm=%0->comm users=S%0->mm->mm_users pid=S%0->pid f:comm==` + commOfSelf
	ret := `r kernel_clone r=S$retval f:$comm==` + commOfSelf
	var child int
	r := traceWhile(t, []string{"--max-events", "2", wake, ret}, func() {
		cmd := exec.Command("/bin/true")
		if err := cmd.Start(); err != nil {
			t.Error(err)
			return
		}
		child = cmd.Process.Pid
		cmd.Wait()
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	// Go forks with CLONE_VM, so the child shares this process's mm: at
	// least two users (this process and the child).
	p0 := fieldsOf(r.lines, "p0")
	re := regexp.MustCompile(`^comm="` + regexp.QuoteMeta(commOfSelf) + `" users=(\d+) pid=` + strconv.Itoa(child) + `$`)
	if len(p0) != 1 || !re.MatchString(p0[0]) {
		t.Errorf("p0 printed %q, want one line matching %s", p0, re)
	} else if users, _ := strconv.Atoi(re.FindStringSubmatch(p0[0])[1]); users < 2 {
		t.Errorf("mm_users %d, want >= 2 for a CLONE_VM child", users)
	}
	wantFields(t, r, "r1", 1, "r="+strconv.Itoa(child))
	for _, l := range r.lines {
		if l.Probe == "r1" && !strings.HasSuffix(l.Loc, " <- kernel_clone") {
			t.Errorf("kretprobe location %q, want CALLER+0xOFF <- kernel_clone", l.Loc)
		}
	}
}

// TestSeed004NetifReceiveICMP: seed 004's __netif_receive_skb_core line
// with ICMP echo on an isolated loopback. Since 5.8 the function takes
// struct sk_buff **; Debian's 6.1 has only __netif_receive_skb_core.constprop.0
// and no BTF prototype for it, so %0 is untyped and the line casts it to
// what it is (with a prototype, the skb cast dereferences it by itself).
func TestSeed004NetifReceiveICMP(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Ringbuf)
	ns := netfix.NewNS(t)
	skb := `!(struct sk_buff **)%0`
	line := `p __netif_receive_skb_core proto=@(struct iphdr *)l3` + skb + `->protocol ` +
		`ip_src=@(struct iphdr *)l3` + skb + `->saddr ip_dst=@(struct iphdr *)l3` + skb + `->daddr ` +
		`type=@(struct icmphdr *)l3` + skb + `->type f:proto==1&&ip_src==127.0.0.1`
	const n = 3
	r := traceWhile(t, []string{"--max-events", strconv.Itoa(2 * n), line}, func() {
		sent, replies, err := ns.Ping(netip.MustParseAddr("127.0.0.1"), n, 5*time.Second)
		if err != nil || sent != n || replies != n {
			t.Errorf("ping: sent %d, %d replies: %v", sent, replies, err)
		}
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	count := map[string]int{}
	for _, f := range fieldsOf(r.lines, "p0") {
		count[f]++
	}
	for _, typ := range []string{"8", "0"} { // echo request, echo reply
		if f := "proto=1 ip_src=127.0.0.1 ip_dst=127.0.0.1 type=" + typ; count[f] != n {
			t.Errorf("%d lines %q, want %d; all: %v", count[f], f, n, count)
		}
	}
}

// TestSymbolOffsetRegister: a kprobe inside a function, reading a
// register: `p SYMBOL+OFF r=%r12`. The offset is ip_output's first
// instruction after its fentry site: +5 on Debian's 6.1, +9 on 6.12,
// whose IBT puts an ENDBR64 first.
func TestSymbolOffsetRegister(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Ringbuf)
	off := offsetAfterFentry(t, "ip_output")
	p := netfix.NewPair(t)
	line := fmt.Sprintf("p ip_output+%d r=X%%r12 f:$comm==%s", off, commOfSelf)
	r := traceWhile(t, []string{"--max-events", "1", line}, func() {
		must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), 1, 5*time.Second))
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	loc := fmt.Sprintf("ip_output+%#x", off)
	if len(r.lines) != 1 || r.lines[0].Loc != loc || !regexpMatch(`^r=0x[0-9a-f]+$`, r.lines[0].Fields) {
		t.Errorf("want one line (%s) r=0x...; got %q", loc, r.stdout)
	}
}

// TestSeccompFallsBackToFtrace (issue 5): surftrace in a process whose
// bpf() a seccomp filter refuses with EPERM picks the ftrace backend by
// itself, says so, and prints seed 000's values as the bpf backend would.
func TestSeccompFallsBackToFtrace(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.KprobeEvents)
	p := netfix.NewPair(t)
	const n = 3
	ready := filepath.Join(t.TempDir(), "ready")
	var stdout, stderr strings.Builder
	cmd := cliCommand(true, "--backend", "auto", "--ready-file", ready, "--duration", "60s",
		"--max-events", strconv.Itoa(n), seed000)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := monotonic(t)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("not ready after 60s; stderr:\n%s", stderr.String())
		}
	}
	must(t, "udp/9989")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9989"), []byte(hello), 2, 5*time.Second))
	must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), n, 5*time.Second))
	err := cmd.Wait()
	end := monotonic(t)
	t.Logf("exit %v\nstdout:\n%sstderr:\n%s", err, stdout.String(), stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	if !regexpMatch(`(?m)^surftrace: backend ftrace: bpf\(\) refused \(.*operation not permitted.*\); \S+ is writable$`, stderr.String()) {
		t.Errorf("stderr does not say that ftrace runs because bpf() was refused")
	}
	lines := parseTrace(t, stdout.String())
	if len(lines) != n {
		t.Errorf("%d lines, want %d", len(lines), n)
	}
	want := `proto=17 ip_dst=192.0.2.2 b16_dest=9988 comm="` + commOfSelf + `" body=`
	var fields []string
	for _, l := range lines {
		fields = append(fields, l.Fields)
		if l.Probe != "p0" || l.Loc != "ip_output+0x0" || !strings.HasPrefix(l.Fields, want) {
			t.Errorf("got %q, want p0: (ip_output+0x0) %s...", l.Raw, want)
		}
		if l.CPU >= goruntime.NumCPU() || l.Time < start.Truncate(time.Microsecond) || l.Time > end {
			t.Errorf("bad cpu or time (run %v..%v): %q", start, end, l.Raw)
		}
	}
	wantPayload(t, fields, "body", hello)
}
