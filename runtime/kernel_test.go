package runtime

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/lang"
)

// These tests load hand-built programs into the running kernel; they need
// root and skip, saying why, where the kernel lacks a feature.

var testSrc = &lang.Source{Name: "x.st", Text: "tracepoint:syscalls:sys_enter_getppid { }\n"}

// getppidProgram traces this process's getppid() calls, which unlike
// getpid() Go's runtime never makes: e0 prints nr (from the tracepoint), a
// constant IPv4 address and the kernel stack.
func getppidProgram(ringSize uint32) *spec.Program {
	ps := program(ebpf.TracePoint, onlyTgid(os.Getpid()), emit(0, 0, 16,
		asm.LoadMem(asm.R1, asm.R6, 8, asm.Word),
		asm.StoreMem(asm.R7, spec.HdrSize+0, asm.R1, asm.Word),
		asm.StoreImm(asm.R7, spec.HdrSize+4, 0x0100007f, asm.Word),
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.LoadMapPtr(asm.R2, 0).WithReference(spec.StacksMap),
		asm.Mov.Imm(asm.R3, 0),
		asm.FnGetStackid.Call(),
		asm.StoreMem(asm.R7, spec.HdrSize+8, asm.R0, asm.DWord),
	))
	return &spec.Program{
		Src: testSrc,
		Probes: []*spec.Probe{{Index: 0, Name: "e0", Kind: spec.AttachTracepoint,
			Target: "syscalls:sys_enter_getppid", Spec: ps, Pos: lang.PosAt(testSrc, 0)}},
		Maps: baseMaps(1, ringSize),
		Events: []*spec.Event{{ID: 0, Kind: spec.EventTrace, Probe: 0, Stack: 8, Fields: []*spec.Field{
			{Name: "nr", Offset: 0, Size: 4, Render: spec.RenderSigned},
			{Name: "ip_lo", Offset: 4, Size: 4, Render: spec.RenderIPv4},
		}}},
	}
}

// loadAndAttach loads p and attaches it, closing it when the test ends.
func loadAndAttach(t *testing.T, p *spec.Program, opts Options) *Tracer {
	t.Helper()
	tr, err := Load(p, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := tr.Attach(); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	return tr
}

// run runs tr for at most five seconds and returns what it printed.
func run(t *testing.T, tr *Tracer, format Format) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out, warn bytes.Buffer
	if err := tr.Run(ctx, Output{W: &out, Warn: &warn, Format: format}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if warn.Len() > 0 {
		t.Errorf("warnings:\n%s", warn.String())
	}
	return out.String()
}

func TestTracepointEndToEnd(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	tr := loadAndAttach(t, getppidProgram(1<<16), Options{MaxEvents: 10})
	for range 10 {
		syscall.Getppid()
	}
	out := run(t, tr, Text)
	t.Logf("output:\n%s", out)
	line := regexp.MustCompile(`^ {0,4}runtime\.test-\d+ +\[\d{3}\] \d+\.\d{6}: e0: \(syscalls:sys_enter_getppid\) nr=` +
		strconv.Itoa(syscall.SYS_GETPPID) + ` ip_lo=127\.0\.0\.1$`)
	// Before Linux 6.x made syscall tracepoints faultable, they ran with
	// the task's user registers, from which bpf_get_stackid finds no
	// kernel stack (EFAULT): the runtime says so under the line.
	// TestTracepointStacks checks real frames at a kernel-context event.
	stack := regexp.MustCompile(`^ => ([\w.]+\+0x[0-9a-f]+( \[\w+\])?|<no stack \(error -14\)>)$`)
	lines := 0
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		switch {
		case line.MatchString(l):
			lines++
		case stack.MatchString(l):
		default:
			t.Errorf("unexpected line %q", l)
		}
	}
	if lines != 10 {
		t.Errorf("got %d trace lines, want 10", lines)
	}
}

func TestTracepointStacks(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	ps := program(ebpf.TracePoint, onlyTgid(os.Getpid()), emit(0, 0, 8,
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.LoadMapPtr(asm.R2, 0).WithReference(spec.StacksMap),
		asm.Mov.Imm(asm.R3, 0),
		asm.FnGetStackid.Call(),
		asm.StoreMem(asm.R7, spec.HdrSize, asm.R0, asm.DWord),
	))
	p := &spec.Program{
		Src: testSrc,
		Probes: []*spec.Probe{{Index: 0, Name: "e0", Kind: spec.AttachTracepoint,
			Target: "skb:kfree_skb", Spec: ps, Pos: lang.PosAt(testSrc, 0)}},
		Maps:   baseMaps(1, 1<<16),
		Events: []*spec.Event{{ID: 0, Kind: spec.EventTrace, Probe: 0, Stack: 0}},
	}
	tr := loadAndAttach(t, p, Options{MaxEvents: 3})
	// A datagram to a closed loopback port is freed as a drop
	// (NO_SOCKET) in this task's context, on its way through UDP.
	// The socket is unconnected, so the ICMP errors do not fail later sends.
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 3 {
		if _, err := conn.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}); err != nil {
			t.Fatal(err)
		}
	}
	out := run(t, tr, Text)
	t.Logf("output:\n%s", out)
	if n := strings.Count(out, "e0: (skb:kfree_skb)"); n != 3 {
		t.Errorf("got %d trace lines, want 3", n)
	}
	if !regexp.MustCompile(`(?m)^ => __?udp\w*\+0x[0-9a-f]+$`).MatchString(out) {
		t.Errorf("no UDP frame in the stacks")
	}
}

func TestTracepointJSON(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	tr := loadAndAttach(t, getppidProgram(1<<16), Options{MaxEvents: 2})
	syscall.Getppid()
	syscall.Getppid()
	out := run(t, tr, JSON)
	t.Logf("output:\n%s", out)
	nr := strconv.Itoa(syscall.SYS_GETPPID)
	want := regexp.MustCompile(`^\{"type":"event","probe":"e0","time":\d+\.\d{6},"cpu":\d+,"pid":\d+,"tgid":\d+,"comm":"runtime.test",` +
		`"where":"syscalls:sys_enter_getppid","fields":\{"nr":\{"value":` + nr + `,"raw":` + nr + `\},"ip_lo":\{"value":"127.0.0.1","raw":16777343\}\},"stack":\["[^"]+"(,"[^"]+")*\]\}$`)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if !want.MatchString(l) {
			t.Errorf("unexpected JSON line %s", l)
		}
	}
	if len(lines) != 2 {
		t.Errorf("got %d lines, want 2", len(lines))
	}
}

func TestLostRecordsAreReported(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	tr := loadAndAttach(t, getppidProgram(uint32(os.Getpagesize())), Options{})
	for range 200 {
		syscall.Getppid()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := tr.Run(ctx, Output{W: &out}); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Lost (\d+) events in e0$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no lost count in output:\n%s", out.String())
	}
	if printed := strings.Count(out.String(), ": e0: "); printed+atoi(m[1]) != 200 {
		t.Errorf("printed %d and lost %s, want 200 in all", printed, m[1])
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// beginEndProgram is BEGIN { printf("hello %d from %s\n", 42, comm);
// @x = 5; @c[7] = 3; exit() } END { printf("bye\n"); @x = 6 }.
func beginEndProgram() *spec.Program {
	begin := program(ebpf.RawTracepoint,
		emit(0, 0, 24, append(storeU64(spec.HdrSize, 42),
			asm.Mov.Reg(asm.R1, asm.R7),
			asm.Add.Imm(asm.R1, spec.HdrSize+8),
			asm.Mov.Imm(asm.R2, 16),
			asm.FnGetCurrentComm.Call())...),
		updateMap("@x", 0, 5),
		updateMap("@c", 7, 3),
		emit(1, 0, 0),
	)
	end := program(ebpf.RawTracepoint, emit(2, 1, 0), updateMap("@x", 0, 6))
	maps := baseMaps(2, 1<<16)
	maps["@x"] = &ebpf.MapSpec{Name: "x", Type: ebpf.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1}
	maps["@c"] = &ebpf.MapSpec{Name: "c", Type: ebpf.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: 16}
	return &spec.Program{
		Src: testSrc,
		Probes: []*spec.Probe{
			{Index: 0, Name: "BEGIN", Kind: spec.AttachBegin, Spec: begin},
			{Index: 1, Name: "END", Kind: spec.AttachEnd, Spec: end},
		},
		Maps: maps,
		Events: []*spec.Event{
			{ID: 0, Kind: spec.EventPrintf, Probe: 0, Stack: -1, Format: "hello %d from %s\n",
				Fields: []*spec.Field{intField(0), strField(8, 16)}},
			{ID: 1, Kind: spec.EventExit, Probe: 0, Stack: -1},
			{ID: 2, Kind: spec.EventPrintf, Probe: 1, Stack: -1, Format: "bye\n"},
		},
		ScriptMaps: []*spec.MapInfo{
			{Name: "@x", Kind: spec.MapScalar, Value: intField(0)},
			{Name: "@c", Kind: spec.MapCount, Key: []*spec.Field{intField(0)}, PerCPU: true},
		},
	}
}

func TestBeginEndAndMaps(t *testing.T) {
	ktest.RequireRoot(t)
	for _, tc := range []struct {
		format Format
		want   string
	}{
		{Text, "hello 42 from runtime.test\nbye\n\n\n@c[7]: 3\n@x: 6\n"},
		{JSON, `{"type": "printf", "data": "hello 42 from runtime.test\n"}` + "\n" +
			`{"type": "printf", "data": "bye\n"}` + "\n" +
			`{"type": "map", "data": {"@c": {"7": 3}}}` + "\n" +
			`{"type": "map", "data": {"@x": 6}}` + "\n"},
	} {
		tr := loadAndAttach(t, beginEndProgram(), Options{})
		if got := run(t, tr, tc.format); got != tc.want {
			t.Errorf("format %d output\n got %q\nwant %q", tc.format, got, tc.want)
		}
	}
}

func TestIntervalProbe(t *testing.T) {
	ktest.RequireFeature(t, ktest.Ringbuf)
	ps := program(ebpf.PerfEvent, emit(0, 0, 0))
	p := &spec.Program{
		Src: testSrc,
		Probes: []*spec.Probe{{Index: 0, Name: "interval:ms:20", Kind: spec.AttachInterval,
			Interval: 20 * time.Millisecond, Spec: ps}},
		Maps:   baseMaps(1, 1<<16),
		Events: []*spec.Event{{ID: 0, Kind: spec.EventTrace, Probe: 0, Stack: -1}},
	}
	tr := loadAndAttach(t, p, Options{MaxEvents: 3})
	out := run(t, tr, Text)
	if n := strings.Count(out, "[000] "); n != 3 || strings.Count(out, ": interval:ms:20: (interval:20ms)\n") != 3 {
		t.Errorf("want 3 ticks on CPU 0, got:\n%s", out)
	}
}

func TestKprobeAttachWithoutKprobes(t *testing.T) {
	ktest.RequireRoot(t)
	ps := program(ebpf.Kprobe)
	src := &lang.Source{Name: "x.st", Text: "kprobe:ip_rcv { }\n"}
	p := &spec.Program{
		Src:    src,
		Probes: []*spec.Probe{{Index: 0, Name: "kprobe:ip_rcv", Kind: spec.AttachKprobe, Target: "ip_rcv", Spec: ps, Pos: lang.PosAt(src, 0)}},
		Maps:   baseMaps(1, 1<<16),
	}
	tr, err := Load(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	err = tr.Attach()
	if ktest.Check(ktest.Kprobes) == nil {
		if err != nil {
			t.Errorf("attach on a kernel with kprobes: %v", err)
		}
		return
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, ErrNoKprobes) {
		t.Fatalf("attach error %v does not say the kernel has no kprobes", err)
	}
	if want := "x.st:1:1: attach kprobe:ip_rcv: this kernel has no kprobes (CONFIG_KPROBES"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error\n got %s\nwant prefix %s", err, want)
	}
}

func TestVerifierRejection(t *testing.T) {
	ktest.RequireRoot(t)
	probe, ps := badProbe()
	probe.Spec = ps
	p := &spec.Program{Src: probe.Pos.Src, Probes: []*spec.Probe{probe}, Maps: baseMaps(1, 1<<16)}
	_, err := Load(p, Options{Verbose: true})
	var ve *VerifierError
	if !errors.As(err, &ve) {
		t.Fatalf("Load error %v is not a *VerifierError", err)
	}
	want := "x.st:3:1: kprobe:ip_rcv: the kernel verifier rejected this probe: R1 invalid mem access 'scalar' (instruction 3, from x.st:3:21: $s->len)"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error\n got %s\nwant prefix %s", err, want)
	}
	t.Logf("error: %v", err)
}

func TestCloseReleasesEverything(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	before := openFDs(t)
	tr, err := Load(getppidProgram(1<<16), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Attach(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d file descriptors open before Load, %d after Close", before, after)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
