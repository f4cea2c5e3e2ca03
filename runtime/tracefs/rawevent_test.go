package tracefs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/runtime/ksym"
	"github.com/surftrace/surftrace/spec"
)

// Format files as Debian's 6.1 writes them for seed 000's kprobe (plus a
// mac_ array and the hidden comm), a kretprobe, ftrace's stack records, a
// tracepoint with a __data_loc string, and one with a char * argument.
const (
	commonFields = "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" +
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" +
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" +
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	formatP0 = "name: p0\nID: 1359\nformat:\n" + commonFields +
		"\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n" +
		"\tfield:u8 proto;\toffset:16;\tsize:1;\tsigned:0;\n" +
		"\tfield:u32 ip_dst;\toffset:17;\tsize:4;\tsigned:0;\n" +
		"\tfield:u16 b16_dest;\toffset:21;\tsize:2;\tsigned:0;\n" +
		"\tfield:__data_loc char[] comm;\toffset:23;\tsize:4;\tsigned:1;\n" +
		"\tfield:__data_loc char[] body;\toffset:27;\tsize:4;\tsigned:1;\n" +
		"\tfield:u8 mac_m[];\toffset:31;\tsize:6;\tsigned:0;\n" +
		"\tfield:__data_loc char[] __surftrace_comm;\toffset:37;\tsize:4;\tsigned:1;\n\n" +
		`print fmt: "(%lx) proto=%u ...", REC->__probe_ip` + "\n"
	formatR1 = "name: r1\nID: 1360\nformat:\n" + commonFields +
		"\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n" +
		"\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n" +
		"\tfield:s32 r;\toffset:24;\tsize:4;\tsigned:1;\n" +
		"\tfield:__data_loc char[] __surftrace_comm;\toffset:28;\tsize:4;\tsigned:1;\n"
	formatStack = "name: kernel_stack\nID: 4\nformat:\n" + commonFields +
		"\tfield:int size;\toffset:8;\tsize:4;\tsigned:1;\n" +
		"\tfield:unsigned long caller[8];\toffset:16;\tsize:64;\tsigned:0;\n"
	formatExec = "name: sched_process_exec\nID: 365\nformat:\n" + commonFields +
		"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n" +
		"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n" +
		"\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"
	formatOpenat = "name: sys_enter_openat\nID: 700\nformat:\n" + commonFields +
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n" +
		"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n" +
		"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
)

// Addresses in ../ksym/testdata/kallsyms.
const (
	addrIPOutput = 0xffffffff81a2c3d0
	addrIPRcv    = 0xffffffff81a2c210 // ip_rcv_core.isra.0+0x10
	addrVeth     = 0xffffffffc0201010 // veth_xmit+0x10 [veth]
)

// record builds an event record: the fixed part, then the dynamic data
// its __data_loc words point to, as the kernel lays them out.
type record struct{ b []byte }

func newRecord(id uint16, pid int32, fixed int) *record {
	r := &record{b: make([]byte, fixed)}
	binary.LittleEndian.PutUint16(r.b, id)
	binary.LittleEndian.PutUint32(r.b[4:], uint32(pid))
	return r
}

func (r *record) put(off int, v []byte) *record { copy(r.b[off:], v); return r }

func (r *record) u64(off int, v uint64) *record {
	binary.LittleEndian.PutUint64(r.b[off:], v)
	return r
}

// str stores s (with the NUL the kernel copies) as dynamic data; fault
// stores the empty location of a fetch that failed.
func (r *record) str(off int, s string, fault bool) *record {
	n := len(s) + 1
	if fault {
		n = 0
	}
	binary.LittleEndian.PutUint32(r.b[off:], uint32(n)<<16|uint32(len(r.b)))
	if !fault {
		r.b = append(append(r.b, s...), 0)
	}
	return r
}

var (
	seed000Mac = &spec.FtraceProbe{Name: "p0", Kind: spec.AttachKprobe, Target: "ip_output", Event: "GROUP/p0",
		Fields: []*spec.FtraceField{
			{Name: "proto", Type: "u8", Size: 1},
			{Name: "ip_dst", Type: "u32", Size: 4, Render: spec.RenderIPv4},
			{Name: "b16_dest", Type: "u16", Size: 2, Render: spec.RenderBE},
			{Name: "comm", Type: "string", Size: 16, Render: spec.RenderString},
			{Name: "body", Type: "string", Size: 64, Render: spec.RenderString},
			{Name: "mac_m", Type: "x8[6]", Size: 6, Render: spec.RenderMAC},
		}}
	retProbe = &spec.FtraceProbe{Name: "r1", Kind: spec.AttachKretprobe, Target: "ip_output", Event: "GROUP/r1",
		Fields: []*spec.FtraceField{{Name: "r", Type: "s32", Size: 4, Render: spec.RenderSigned}}}
	execProbe = &spec.FtraceProbe{Name: "e2", Kind: spec.AttachTracepoint, Target: "sched/sched_process_exec",
		Fields: []*spec.FtraceField{
			{Name: "filename", TPField: "filename", Size: 64, Render: spec.RenderString},
			{Name: "pid", TPField: "pid", Size: 4, Render: spec.RenderSigned},
		}}
	openatProbe = &spec.FtraceProbe{Name: "e3", Kind: spec.AttachTracepoint, Target: "syscalls/sys_enter_openat",
		Fields: []*spec.FtraceField{{Name: "filename", TPField: "filename", Size: 64, Render: spec.RenderString}}}
)

// testDecoder builds the decoder a run of these probes would, from the
// format texts above and the test symbol table.
func testDecoder(t testing.TB) *decoder {
	t.Helper()
	d := &decoder{ring: testLayout(t), probes: map[uint16]*rawProbe{}, syms: ksym.NewLazy("../ksym/testdata/kallsyms"),
		cmdlines: func() string { return "4194305 saved-comm\n" }} // above PID_MAX_LIMIT: no /proc entry can answer first
	for _, c := range []struct {
		p    *spec.FtraceProbe
		text string
	}{{seed000Mac, formatP0}, {retProbe, formatR1}, {execProbe, formatExec}, {openatProbe, formatOpenat}} {
		ev, err := parseFormat(c.text)
		if err != nil {
			t.Fatal(err)
		}
		rp, err := newRawProbe(c.p, ev)
		if err != nil {
			t.Fatal(err)
		}
		d.probes[ev.ID] = rp
		d.pid, _ = ev.field("common_pid")
	}
	ev, err := parseFormat(formatStack)
	if err != nil {
		t.Fatal(err)
	}
	d.stack = &stackFormat{id: ev.ID}
	d.stack.size, _ = ev.field("size")
	d.stack.calls, _ = ev.field("caller")
	return d
}

// seedRecord is a p0 record of seed 000 with body as the fetched string.
func seedRecord(body string, fault bool) []byte {
	r := newRecord(1359, 4242, 41).u64(8, addrIPOutput).put(16, []byte{17, 10, 0, 1, 221, 0x27, 0x04})
	r.put(31, []byte{2, 0, 0, 0, 0, 1})
	return r.str(23, "nc", false).str(27, body, fault).str(37, "nc", false).b
}

// TestDecodeRecord renders records through the format files as the bpf
// backend renders the same bytes: strings whatever bytes they hold (the
// ones that broke trace_pipe text), byte swaps, addresses, arrays, signed
// values, a failed fetch, a kretprobe's caller, tracepoint fields.
func TestDecodeRecord(t *testing.T) {
	d := testDecoder(t)
	head := "              nc-4242    [001] 12648619.219880: p0: (ip_output+0x0) proto=17 ip_dst=10.0.1.221 b16_dest=9988 comm=\"nc\" body="
	self, _ := os.ReadFile("/proc/self/comm")
	for _, c := range []struct {
		name string
		rec  []byte
		want string
	}{
		{"newline", seedRecord("Hello World\n", false), head + `"Hello World\x0a" mac_m=02:00:00:00:00:01`},
		{"quotes and fields", seedRecord(`say "hi" __surftrace_comm="x"`, false), head + `"say "hi" __surftrace_comm="x"" mac_m=02:00:00:00:00:01`},
		{"spaces and =", seedRecord("a=b c=d  ", false), head + `"a=b c=d  " mac_m=02:00:00:00:00:01`},
		{"cut at the bound", seedRecord(strings.Repeat("A", 100), false), head + `"` + strings.Repeat("A", 63) + `" mac_m=02:00:00:00:00:01`},
		{"fault", seedRecord("", true), head + `(fault) mac_m=02:00:00:00:00:01`},
		{"kretprobe", newRecord(1360, 4242, 32).u64(8, addrIPOutput).u64(16, addrIPRcv).put(24, []byte{0xfe, 0xff, 0xff, 0xff}).str(28, "curl", false).b,
			"            curl-4242    [001] 12648619.219880: r1: (ip_rcv_core.isra.0+0x10 <- ip_output) r=-2"},
		{"tracepoint", newRecord(365, int32(os.Getpid()), 20).put(12, []byte{7, 0, 0, 0}).str(8, "/bin/true", false).b,
			fmt.Sprintf("%16s-%-7d", strings.TrimSpace(string(self)), os.Getpid()) +
				" [001] 12648619.219880: e2: (sched:sched_process_exec) filename=\"/bin/true\" pid=7"},
		{"saved comm", newRecord(365, 4194305, 20).str(8, "x", false).b,
			"      saved-comm-4194305 [001] 12648619.219880: e2: (sched:sched_process_exec) filename=\"x\" pid=0"},
		{"char pointer", newRecord(700, 0, 32).u64(24, 0xffff888012345678).b,
			"       swapper/1-0       [001] 12648619.219880: e3: (syscalls:sys_enter_openat) filename=(0xffff888012345678)"},
	} {
		got, ok := d.record(nil, 1, 12648619219880123, c.rec)
		if !ok {
			t.Errorf("%s: record too short", c.name)
			continue
		}
		if string(got) != c.want+"\n" {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want+"\n")
		}
	}
	if got, ok := d.record(nil, 1, 1, seedRecord("x", false)[:30]); ok {
		t.Errorf("a cut record decoded: %q", got)
	}
	if got, ok := d.record(nil, 1, 1, newRecord(9999, 1, 8).b); !ok || len(got) != 0 {
		t.Errorf("another event's record printed %q", got)
	}
}

// TestDecodeStackAndLost: a stack record extends the line of the event
// before it on the same CPU, lines of two CPUs print in time order, a
// record cut short prints nothing and is counted, and
// a page's missed-events count is reported as the bpf backend reports
// lost records.
func TestDecodeStackAndLost(t *testing.T) {
	d := testDecoder(t)
	rr := &rawReader{dec: d}
	stack := newRecord(4, 4242, 16+3*8).put(8, []byte{3, 0, 0, 0}).u64(16, addrVeth).u64(24, addrIPOutput).u64(32, ^uint64(0)).b
	var b0 pageBuilder
	b0.event(10, seedRecord("one", false), false)
	b0.event(0, stack, false)
	b0.event(5, seedRecord("cut", false)[:30], false)
	b0.event(15, seedRecord("three", false), false)
	var b1 pageBuilder
	b1.event(15, seedRecord("two", false), false)
	if err := rr.decode(0, b0.page(1e9, missedEvents|missedStored, 7)); err != nil {
		t.Fatal(err)
	}
	if err := rr.decode(1, b1.page(1e9, 0, 0)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rr.flush(&out); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if _, body, ok := strings.Cut(l, "body="); ok {
			bodies = append(bodies, strings.Fields(body)[0])
		} else {
			bodies = append(bodies, l)
		}
	}
	want := []string{`"one"`, " => veth_xmit+0x10 [veth]", " => ip_output+0x0", `"two"`, `"three"`}
	if strings.Join(bodies, "|") != strings.Join(want, "|") {
		t.Errorf("printed\n%s\nwant bodies and frames %q", out.String(), want)
	}
	if got, want := rr.lostText(0, []string{"p0"}), "Lost 7 events in p0\n"; got != want {
		t.Errorf("lost: %q, want %q", got, want)
	}
	if got, want := rr.lostText(9, []string{"p0", "e1"}), "Lost 9 events in p0,e1\n"; got != want {
		t.Errorf("lost with stats: %q, want %q", got, want)
	}
	stats := "entries: 0\noverrun: 5\ncommit overrun: 1\nbytes: 0\noldest event ts:     0.000000\nnow ts:   813.962507\ndropped events: 2\nread events: 0\n"
	if got := lostInStats(stats); got != 8 {
		t.Errorf("lostInStats = %d, want 8", got)
	}
	if got := (&rawReader{lostUncounted: true}).lostText(0, []string{"p0"}); got != "Lost events in p0 (ftrace did not count them)\n" {
		t.Errorf("uncounted: %q", got)
	}
	if rr.Bad != 1 {
		t.Errorf("%d bad records, want the cut one", rr.Bad)
	}
}

// BenchmarkDecodeRecord decodes and renders seed 000's record.
func BenchmarkDecodeRecord(b *testing.B) {
	d := testDecoder(b)
	rec := seedRecord("Hello World\n", false)
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		out, _ = d.record(out[:0], 1, 12648619219880123, rec)
	}
}
