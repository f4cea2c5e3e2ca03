package tracefs

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
)

// seed000 is seed 000's ip_output probe as the compiler lowers it.
var seed000 = &spec.FtraceProbe{
	Name: "p0", Kind: spec.AttachKprobe, Target: "ip_output", Event: "GROUP/p0",
	Def: "p:GROUP/p0 ip_output proto=+0x9(+0xe8(%dx)):u8 ip_dst=+0x10(+0xe8(%dx)):u32 b16_dest=+0x16(+0xe8(%dx)):u16 comm=$comm body=+0x1c(+0xe8(%dx)):string",
	Fields: []*spec.FtraceField{
		{Name: "proto", Type: "u8", Size: 1},
		{Name: "ip_dst", Type: "u32", Size: 4, Render: spec.RenderIPv4},
		{Name: "b16_dest", Type: "u16", Size: 2, Render: spec.RenderBE},
		{Name: "comm", Type: "string", Render: spec.RenderString},
		{Name: "body", Type: "string", Render: spec.RenderString},
	},
}

// TestFormat parses trace_pipe lines as ftrace prints them and checks the
// bpf backend's line shape, with prefixes converted.
func TestFormat(t *testing.T) {
	ret := &spec.FtraceProbe{Name: "r1", Kind: spec.AttachKretprobe, Target: "_do_fork",
		Fields: []*spec.FtraceField{
			{Name: "r", Type: "x64", Size: 8, Render: spec.RenderHex},
			{Name: "B16_port", Type: "u16", Size: 2, Render: spec.RenderBEHex},
		}}
	tp := &spec.FtraceProbe{Name: "e2", Kind: spec.AttachTracepoint, Target: "sched/sched_stat_wait"}
	tpf := &spec.FtraceProbe{Name: "e3", Kind: spec.AttachTracepoint, Target: "sched/sched_switch",
		Fields: []*spec.FtraceField{{Name: "next", TPField: "next_comm"}}}
	probes := []*spec.FtraceProbe{seed000, ret, tp, tpf}
	for _, c := range []struct{ in, want string }{{
		`           <...>-2733784 [014] d..1. 12648619.219880: p0: (ip_output+0x0/0xd0) proto=17 ip_dst=3707830282 b16_dest=1063 comm="nc" body="Hello "x=1" World" __surftrace_comm="nc"`,
		`              nc-2733784 [014] 12648619.219880: p0: (ip_output+0x0) proto=17 ip_dst=10.0.1.221 b16_dest=9988 comm="nc" body="Hello "x=1" World"`,
	}, {
		// An IBT kernel (Debian's 6.12) reports a probe at ip_output+0 at
		// +0x4, past the ENDBR; the line shows where the probe was put.
		`  nc-7 [000] d..1. 95.009085: p0: (ip_output+0x4/0xd0) proto=17 ip_dst=3707830282 b16_dest=1063 comm="nc" body="Hi" __surftrace_comm="nc"`,
		`              nc-7       [000] 95.009085: p0: (ip_output+0x0) proto=17 ip_dst=10.0.1.221 b16_dest=9988 comm="nc" body="Hi"`,
	}, {
		` python-16819 (  16819) [004] d... 7466977.685020: r1: (SyS_clone+0x36/0x40 <- _do_fork) r=0x195bfe B16_port=1063 __surftrace_comm="python"`,
		`          python-16819   [004] 7466977.685020: r1: (SyS_clone+0x36 <- _do_fork) r=0x195bfe B16_port=0x2704`,
	}, {
		` <idle>-0     [001] dN.. 11868700.419049: sched_stat_wait: comm=h2o pid=3046552 delay=87023763 [ns]`,
		`          <idle>-0       [001] 11868700.419049: e2: (sched:sched_stat_wait) comm=h2o pid=3046552 delay=87023763 [ns]`,
	}, {
		` <idle>-0 [001] d..2. 2.000001: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=nc next_pid=7 next_prio=120`,
		`          <idle>-0       [001] 2.000001: e3: (sched:sched_switch) next=nc`,
	}} {
		ev, ok, err := parseLine(c.in, probes)
		if err != nil || !ok {
			t.Errorf("parseLine(%q) = %v, %v", c.in, ok, err)
			continue
		}
		if got := ev.Format(); got != c.want {
			t.Errorf("parseLine(%q).Format():\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{" => ip_finish_output2", " <stack trace>", "CPU:1 [LOST 3 EVENTS]"} {
		if _, ok, err := parseLine(in, probes); ok || err != nil {
			t.Errorf("parseLine(%q) = %v, %v; want not an event", in, ok, err)
		}
	}
}

// TestRenderArrays checks ip6_ and mac_ fields fetched as byte arrays.
func TestRenderArrays(t *testing.T) {
	v6 := &spec.FtraceField{Name: "ip6_src", Type: "x8[16]", Render: spec.RenderIPv6}
	mac := &spec.FtraceField{Name: "mac_src", Type: "x8[6]", Render: spec.RenderMAC}
	if got := renderValue(v6, "{0x20,0x1,0xd,0xb8,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x1}"); got != "2001:db8::1" {
		t.Errorf("ip6 = %q", got)
	}
	if got := renderValue(mac, "{0x2,0x0,0x0,0x0,0x0,0x1}"); got != "02:00:00:00:00:01" {
		t.Errorf("mac = %q", got)
	}
}

// TestValidate checks that nothing can smuggle a line into tracefs.
func TestValidate(t *testing.T) {
	for _, bad := range []string{
		"p:g/p0 ip_output\n-:g/other", "p:g/p0 ip_output; rm", "p:g/p0 ip_output > x",
		"p:g/p0 ip_output # x", `p:g/p0 ip_output a="x"`, "p:g/p0 ip_output\x00",
	} {
		if checkDef(bad) == nil {
			t.Errorf("checkDef(%q) accepted it", bad)
		}
	}
	if err := checkDef(seed000.DefLine("surftrace_1")); err != nil {
		t.Errorf("checkDef(seed 000): %v", err)
	}
	for _, bad := range []string{"a==1\nb==2", "comm==\"x", "comm==\"a\\\"\"", "a==1;b", "a==1 # c"} {
		if checkFilter(bad) == nil {
			t.Errorf("checkFilter(%q) accepted it", bad)
		}
	}
	for _, good := range []string{`proto==17&&ip_dst==0xdd01000a`, `comm=="nc"||(delay>1000000)`, `comm~"ss*"`} {
		if err := checkFilter(good); err != nil {
			t.Errorf("checkFilter(%q): %v", good, err)
		}
	}
	for _, bad := range []string{"", "1a", "a-b", "a/b", "a\nb"} {
		if checkName("name", bad) == nil {
			t.Errorf("checkName(%q) accepted it", bad)
		}
	}
}

// TestErrorLog maps the caret of an error_log entry back to the source.
func TestErrorLog(t *testing.T) {
	src := &lang.Source{Name: "<line 1>", Text: "p ip_output proto=@(struct iphdr*)l3%2->protocol"}
	at := func(off int) lang.Pos { return lang.PosAt(src, off) }
	p := &spec.FtraceProbe{Name: "p0", Kind: spec.AttachKprobe, Pos: at(2),
		Def: "p:GROUP/p0 ip_output proto=+0x9(+0xe8(%dx)):u9",
		Spans: []spec.FtraceSpan{
			{Text: spec.FtraceDef, Start: 21, End: 47, Src: lang.Span{Pos: at(12), End: at(48)}},
			{Text: spec.FtraceDef, Start: 44, End: 47, Src: lang.Span{Pos: at(36), End: at(48)}},
		}}
	line := p.DefLine("surftrace_42")
	log := "[ 1.000000] trace_kprobe: error: Unknown type\n" +
		"  Command: other\n           ^\n" +
		"[ 2.000000] trace_kprobe: error: Unknown type\n" +
		cmdPrefix + line + "\n" + strings.Repeat(" ", len(cmdPrefix)+strings.Index(line, "u9")) + "^\n"
	e, ok := lastLogEntry(log, line)
	if !ok || e.Msg != "Unknown type" || e.Col != strings.Index(line, "u9") {
		t.Fatalf("lastLogEntry = %+v, %v", e, ok)
	}
	span, ok := p.SourceAt(spec.FtraceDef, "surftrace_42", e.Col)
	if !ok || span.Pos.Offset != 36 {
		t.Errorf("SourceAt(col %d) = %v, %v; want offset 36", e.Col, span, ok)
	}
}
