package tracefs

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestScriptAwk feeds trace_pipe lines as ftrace prints them through the
// -o script's awk program and checks that it prints the bpf backend's
// line for them: the same header, the location without /0xSIZE, and
// values converted by prefix, 64-bit ones exactly. (A tracepoint line
// naming no fields keeps the event's own text, and comm ftrace's.)
func TestScriptAwk(t *testing.T) {
	awk, err := exec.LookPath("awk")
	if err != nil {
		t.Skip("no awk")
	}
	ret := &spec.FtraceProbe{Name: "r1", Kind: spec.AttachKretprobe, Target: "_do_fork",
		Fields: []*spec.FtraceField{
			{Name: "r", Type: "x64", Size: 8, Render: spec.RenderHex},
			{Name: "B16_port", Type: "u16", Size: 2, Render: spec.RenderBEHex},
		}}
	ret2 := &spec.FtraceProbe{Name: "r4", Kind: spec.AttachKretprobe, Target: "tcp_sendmsg",
		Fields: []*spec.FtraceField{
			{Name: "r", Type: "s32", Size: 4, Render: spec.RenderUnsigned},
			{Name: "s", Type: "s64", Size: 8, Render: spec.RenderSigned},
			{Name: "b64_x", Type: "u64", Size: 8, Render: spec.RenderBE},
			{Name: "B32_y", Type: "x32", Size: 4, Render: spec.RenderBEHex},
			{Name: "mac_m", Type: "x8[6]", Size: 6, Render: spec.RenderMAC},
			{Name: "name", Type: "string", Size: 8, Render: spec.RenderString},
		}}
	tp := &spec.FtraceProbe{Name: "e2", Kind: spec.AttachTracepoint, Target: "sched/sched_stat_wait"}
	tpf := &spec.FtraceProbe{Name: "e3", Kind: spec.AttachTracepoint, Target: "sched/sched_switch",
		Fields: []*spec.FtraceField{{Name: "next", TPField: "next_comm", Size: 16, Render: spec.RenderString}}}
	sys := &spec.FtraceProbe{Name: "e5", Kind: spec.AttachTracepoint, Target: "syscalls/sys_enter_getppid"}
	probes := []*spec.FtraceProbe{seed000, ret, tp, tpf, ret2, sys}
	in := []string{
		`           <...>-2733784 [014] d..1. 12648619.219880: p0: (ip_output+0x0/0xd0) proto=17 ip_dst=3707830282 b16_dest=1063 comm="nc" body="Hello World" __surftrace_comm="nc"`,
		`  nc-7 [000] d..1. 95.009085: p0: (ip_output+0x4/0xd0) proto=17 ip_dst=3707830282 b16_dest=1063 comm="nc" body="Hi" __surftrace_comm="nc"`, // IBT kernel
		` python-16819 (  16819) [004] d... 7466977.685020: r1: (SyS_clone+0x36/0x40 <- _do_fork) r=0x195bfe B16_port=1063 __surftrace_comm="python"`,
		` <idle>-0     [001] dN.. 11868700.419049: sched_stat_wait: comm=h2o pid=3046552 delay=87023763 [ns]`,
		` <idle>-0 [001] d..2. 2.000001: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=nc next_pid=7 next_prio=120`,
		` curl-77 [000] ..... 5.000100: r4: (inet_sendmsg+0x3c/0x80 <- tcp_sendmsg) r=-1 s=-2 b64_x=18364758544493064720 B32_y=0x100007f mac_m={0x2,0x42,0xac,0x11,0x0,0x2} name="abcdefghijkl" __surftrace_comm="curl"`,
		`       bash-9 [001] ..... 1.000002: sys_getppid()`,
		` => ip_finish_output2`,
	}
	want := []string{
		`              nc-2733784 [014] 12648619.219880: p0: (ip_output+0x0) proto=17 ip_dst=10.0.1.221 b16_dest=9988 comm="nc" body="Hello World"`,
		`              nc-7       [000] 95.009085: p0: (ip_output+0x0) proto=17 ip_dst=10.0.1.221 b16_dest=9988 comm="nc" body="Hi"`, // the probe's own location, not the IBT-moved +0x4
		`          python-16819   [004] 7466977.685020: r1: (SyS_clone+0x36 <- _do_fork) r=0x195bfe B16_port=0x2704`,
		`          <idle>-0       [001] 11868700.419049: e2: (sched:sched_stat_wait) comm=h2o pid=3046552 delay=87023763 [ns]`,
		`          <idle>-0       [001] 2.000001: e3: (sched:sched_switch) next="nc"`,
		`            curl-77      [000] 5.000100: r4: (inet_sendmsg+0x3c <- tcp_sendmsg) r=4294967295 s=-2 b64_x=1167088121787636990 B32_y=0x7f000001 mac_m=02:42:ac:11:00:02 name="abcdefg"`,
		`            bash-9       [001] 1.000002: e5: (syscalls:sys_enter_getppid) sys_getppid()`,
		` => ip_finish_output2`,
	}
	cmd := exec.Command(awk, scriptAwk(&spec.Ftrace{Probes: probes}))
	cmd.Stdin = strings.NewReader(strings.Join(in, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("awk: %v\n%s", err, out)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("awk printed %d lines:\n%s\nwant %d:\n%s", len(got), out, len(want), strings.Join(want, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}
