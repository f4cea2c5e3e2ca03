package repl

import (
	"slices"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
)

func TestOpenBraces(t *testing.T) {
	for text, want := range map[string]int{
		"e syscalls/sys_enter_getppid":            0,
		"tracepoint:syscalls:sys_enter_getppid {": 1,
		"t:a:b { printf(\"{\\\"\"); // {\n":       1,
		"t:a:b { if (1) { @x = 1; } }":            0,
		"BEGIN { printf(\"}\"); }":                0,
	} {
		if got := openBraces(text); got != want {
			t.Errorf("openBraces(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestComplete(t *testing.T) {
	ktest.RequireBTF(t)
	c := &completer{names: newNames(Config{Kernel: &kernel.Host{}, Tracefs: "/sys/kernel/tracing"})}
	for _, tc := range []struct {
		text string
		want string // one of the candidates
		only bool   // and the only one
	}{
		{"kp", "kprobe:", true},
		{"", "e ", false},
		{"p tcp_v4_conn", "tcp_v4_connect", false},
		{"kprobe:tcp_v4_conn", "kprobe:tcp_v4_connect", false},
		{"p ip_output x=%2->prot", "protocol", true},
		{"p ip_output x=%2->dev->mt", "mtu", true},
		{"p ip_output proto=@(struct iphdr *)l3%2->sad", "saddr", true},
		{"kprobe:ip_output { print(arg2->prot", "protocol", true},
		{"p ip_output x=((struct sock *)%1)->sk_proto", "sk_protocol", true},
	} {
		got := c.Complete(tc.text)
		if !slices.Contains(got, tc.want) || tc.only && len(got) != 1 {
			t.Errorf("Complete(%q) = %.5q (%d), want %q", tc.text, got, len(got), tc.want)
		}
	}
}

// TestCompleteTracepoints completes tracepoint names read from tracefs.
func TestCompleteTracepoints(t *testing.T) {
	ktest.RequireTracepoint(t, "syscalls", "sys_enter_getppid")
	c := &completer{names: newNames(Config{Kernel: &kernel.Host{}, Tracefs: ktest.TracefsDir})}
	for text, want := range map[string]string{
		"e syscalls/sys_enter_getpp":          "syscalls/sys_enter_getppid",
		"e syscalls:sys_enter_getpp":          "syscalls:sys_enter_getppid",
		"tracepoint:syscalls:sys_enter_getpp": "tracepoint:syscalls:sys_enter_getppid",
	} {
		if got := c.Complete(text); !slices.Equal(got, []string{want}) {
			t.Errorf("Complete(%q) = %q, want %q", text, got, want)
		}
	}
}
