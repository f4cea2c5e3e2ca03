package tracefs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/internal/ktest"
)

// childEnv makes the test binary run childMain instead of the tests: a
// runner in a process of its own, for the signal and kill -9 tests.
const childEnv = "SURFTRACE_TRACEFS_CHILD"

func TestMain(m *testing.M) {
	if root := os.Getenv(childEnv); root != "" {
		os.Exit(childMain(root))
	}
	os.Exit(m.Run())
}

// childMain runs childProbes until SIGINT or SIGTERM, saying "ready" on
// stdout once the events are enabled.
func childMain(root string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, childProbes(root), Options{Root: root, Out: io.Discard, Ready: func() { fmt.Println("ready") }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// childProbes is a tracepoint and, where the kernel has kprobe_events, a
// kprobe and a kretprobe, so that cleanup covers every kind.
func childProbes(root string) *spec.Ftrace {
	f := getppidProbe(1)
	if fsys(root).exists("kprobe_events") {
		f.Probes = append(f.Probes,
			&spec.FtraceProbe{Name: "p1", Kind: spec.AttachKprobe, Target: "do_sys_openat2",
				Def: "p:GROUP/p1 do_sys_openat2 dfd=%di:s32", Event: "GROUP/p1", Filter: "dfd==12345",
				Fields: []*spec.FtraceField{{Name: "dfd", Type: "s32", Render: spec.RenderSigned, Size: 4}}},
			&spec.FtraceProbe{Name: "r2", Kind: spec.AttachKretprobe, Target: "do_sys_openat2",
				Def: "r:GROUP/r2 do_sys_openat2 ret=$retval:s64", Event: "GROUP/r2",
				Fields: []*spec.FtraceField{{Name: "ret", Type: "s64", Render: spec.RenderSigned, Size: 8}}})
	}
	return f
}

// snapshot describes the tracefs state a run must leave as it found it:
// kprobe_events, dynamic_events, the instances, and the events enabled in
// the top instance.
func snapshot(root string) string {
	var b strings.Builder
	for _, f := range []string{"kprobe_events", "dynamic_events", "set_event"} {
		s, _ := fsys(root).read(f)
		fmt.Fprintf(&b, "%s:\n%s\n", f, s)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "instances"))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "instances: %v\n", names)
	return b.String()
}

// startChild starts a runner process and waits until it is ready.
func startChild(t *testing.T, root string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+root)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ready <- sc.Scan() && sc.Text() == "ready"
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatalf("runner child exited before it was ready")
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("runner child not ready after 20s")
	}
	return cmd
}

// TestCleanupOnSignal stops a runner with SIGINT and with SIGTERM and
// checks that tracefs is as before.
func TestCleanupOnSignal(t *testing.T) {
	root := ktest.RequireTracefs(t)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			before := snapshot(root)
			cmd := startChild(t, root)
			if during := snapshot(root); during == before {
				t.Fatalf("the running child changed nothing in tracefs:\n%s", during)
			}
			cmd.Process.Signal(sig)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("runner child after %v: %v", sig, err)
			}
			if after := snapshot(root); after != before {
				t.Errorf("after %v:\n%s\nwant as before:\n%s", sig, after, before)
			}
		})
	}
}

// TestCleanupAfterKill kills a runner with SIGKILL, which leaves its
// instance and kprobe events behind, then checks that the next run removes
// them and leaves tracefs as before the first.
func TestCleanupAfterKill(t *testing.T) {
	root := ktest.RequireTracefs(t)
	before := snapshot(root)
	cmd := startChild(t, root)
	cmd.Process.Kill()
	cmd.Wait()
	if left := snapshot(root); left == before {
		t.Fatalf("kill -9 left nothing behind; the test proves nothing:\n%s", left)
	}
	next := startChild(t, root)
	next.Process.Signal(os.Interrupt)
	if err := next.Wait(); err != nil {
		t.Fatalf("second runner: %v", err)
	}
	if after := snapshot(root); after != before {
		t.Errorf("after kill -9 and a new run:\n%s\nwant as before:\n%s", after, before)
	}
}
