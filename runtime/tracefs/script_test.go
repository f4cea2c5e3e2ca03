package tracefs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestShowText checks -S output for seed 000's probe.
func TestShowText(t *testing.T) {
	p := *seed000
	p.Filter = "proto==17&&ip_dst==0xdd01000a&&b16_dest==1063"
	got := ShowText(&spec.Ftrace{Probes: []*spec.FtraceProbe{&p}})
	want := `echo 'p:surftrace/p0 ip_output proto=+0x9(+0xe8(%dx)):u8 ip_dst=+0x10(+0xe8(%dx)):u32 b16_dest=+0x16(+0xe8(%dx)):u16 comm=$comm body=+0x1c(+0xe8(%dx)):string' >> /sys/kernel/tracing/kprobe_events
echo 'proto==17&&ip_dst==0xdd01000a&&b16_dest==1063' > /sys/kernel/tracing/instances/surftrace/events/surftrace/p0/filter
echo 1 > /sys/kernel/tracing/instances/surftrace/events/surftrace/p0/enable
`
	if got != want {
		t.Errorf("ShowText:\n%s\nwant:\n%s", got, want)
	}
}

// TestScript runs the -o script of a filtered tracepoint line under bash,
// makes three events, stops it with SIGINT and checks its output and that
// tracefs is as before.
func TestScript(t *testing.T) {
	root := ktest.RequireTracefs(t)
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	f := getppidProbe(tid)
	f.Src = nil
	file := filepath.Join(t.TempDir(), "trace.sh")
	if err := os.WriteFile(file, []byte(Script(f)), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(root)
	var out syncBuffer
	cmd := exec.Command("bash", file)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	enable := filepath.Join(root, "instances", fmt.Sprintf("surftrace_%d", cmd.Process.Pid), "events", f.Probes[0].Event, "enable")
	waitFor(t, func() bool { b, _ := os.ReadFile(enable); return strings.TrimSpace(string(b)) == "1" })
	for range 3 {
		unix.Getppid()
	}
	waitFor(t, func() bool { return strings.Count(out.String(), "sys_getppid()") == 3 })
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	t.Logf("script output:\n%s", out.String())
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("script after SIGINT: %v, want exit status 130", err)
	}
	if after := snapshot(root); after != before {
		t.Errorf("after the script:\n%s\nwant as before:\n%s", after, before)
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
