package tracefs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestHistParse checks the reading of ftrace's hist file and the bpf
// backend's count-map layout.
func TestHistParse(t *testing.T) {
	text := `# event histogram
#
# trigger info: hist:keys=fd:vals=hitcount:sort=hitcount:size=2048 [active]
#

{ fd:         11 } hitcount:          7
{ fd: 18446744073709551615 } hitcount:          2
{ fd:          3 } hitcount:          7

Totals:
    Hits: 16
`
	p := &spec.FtraceProbe{Hist: &spec.FtraceHist{Map: "@closes", Key: "fd", KeyRender: spec.RenderSigned}}
	got := histText(p, text)
	want := "@closes[-1]: 2\n@closes[11]: 7\n@closes[3]: 7\n"
	if got != want {
		t.Errorf("histText:\n%s\nwant:\n%s", got, want)
	}
	// String keys as the kernel prints them, padded to 50 bytes; comms
	// that look like the end of an entry, or hold a newline, stay keys.
	str := &spec.FtraceProbe{Hist: &spec.FtraceHist{Map: "@", Key: "comm", KeyRender: spec.RenderString}}
	entry := func(comm string, n int) string {
		return fmt.Sprintf("{ comm: %-50s } hitcount: %10d\n", comm, n)
	}
	text = "# event histogram\n#\n\n" + entry("bash", 1) + entry("x } hitcount: 9", 2) + entry("a\n{ comm: b", 3) + entry("sp ace", 4) + "\nTotals:\n    Hits: 10\n"
	want = "@[bash]: 1\n@[x } hitcount: 9]: 2\n@[a\n{ comm: b]: 3\n@[sp ace]: 4\n"
	if got := histText(str, text); got != want {
		t.Errorf("histText:\n%q\nwant:\n%q", got, want)
	}
}

// TestHistTrigger compiles a .st keyed count on a tracepoint, runs it
// through the runner while this thread closes a fd that does not exist a
// known number of times, and checks the map printed at exit and that
// tracefs is as before.
func TestHistTrigger(t *testing.T) {
	root := ktest.RequireTracefs(t)
	if b, _ := os.ReadFile(filepath.Join(root, "events/syscalls/sys_enter_close/trigger")); !strings.Contains(string(b), "hist") {
		t.Skip("this kernel has no hist triggers (CONFIG_HIST_TRIGGERS); the 6.1 VM has them")
	}
	src := &lang.Source{Name: "count.st", Text: "tracepoint:syscalls:sys_enter_close { @closes[args.fd] = count() }\n"}
	prog, err := script.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := compiler.CompileFtrace(prog, &kernel.Host{}, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h := f.Probes[0].Hist; h == nil || h.Trigger() != "hist:keys=fd:vals=hitcount" {
		t.Fatalf("probe %+v: want the hist trigger hist:keys=fd:vals=hitcount", f.Probes[0])
	}
	before := snapshot(root)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out syncBuffer
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- Run(ctx, f, Options{Root: root, Out: &out, Ready: func() { close(ready) }}) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	const fd, n = 987654, 5
	for range n {
		unix.Close(fd)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("output:\n%s", out.String())
	if !strings.HasPrefix(out.String(), "\n\n@closes[") || !strings.Contains(out.String(), "\n@closes[987654]: 5\n") {
		t.Errorf("output %q: want the map, with @closes[987654]: 5", out.String())
	}
	if after := snapshot(root); after != before {
		t.Errorf("tracefs after the run:\n%s\nwant as before:\n%s", after, before)
	}
}

// TestScriptHistAwk checks that the -o script's awk prints a hist file as
// the runner does (histText), signed keys included.
func TestScriptHistAwk(t *testing.T) {
	text := "{ fd:         11 } hitcount:          7\n{ fd: 18446744073709551615 } hitcount:          2\n{ fd:          3 } hitcount:          7\n"
	cmd := exec.Command("bash", "-c", `awk -v M='@c' -v K=fd -v S=1 "$1" | sort -t: -k2,2n -s`, "x", histAwk)
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("awk: %v\n%s", err, out)
	}
	p := &spec.FtraceProbe{Hist: &spec.FtraceHist{Map: "@c", Key: "fd", KeyRender: spec.RenderSigned}}
	if want := histText(p, text); string(out) != want {
		t.Errorf("script's hist awk:\n%s\nwant as the runner:\n%s", out, want)
	}
}

// TestScriptHist runs the -o script of a keyed count under bash, closes a
// bad fd a known number of times, stops it with SIGINT and checks the map
// it prints and that the trigger, instance and events are as before.
func TestScriptHist(t *testing.T) {
	root := ktest.RequireTracefs(t)
	if b, _ := os.ReadFile(filepath.Join(root, "events/syscalls/sys_enter_close/trigger")); !strings.Contains(string(b), "hist") {
		t.Skip("this kernel has no hist triggers (CONFIG_HIST_TRIGGERS); the 6.1 VM has them")
	}
	prog, err := script.Parse(&lang.Source{Name: "count.st", Text: "tracepoint:syscalls:sys_enter_close { @closes[args.fd] = count() }\n"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := compiler.CompileFtrace(prog, &kernel.Host{}, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "count.sh")
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
	defer cmd.Process.Kill()
	trigger := filepath.Join(root, "instances", "surftrace_"+strconv.Itoa(cmd.Process.Pid), "events/syscalls/sys_enter_close/trigger")
	waitFor(t, func() bool { b, _ := os.ReadFile(trigger); return strings.Contains(string(b), "hist:keys=fd") })
	const fd, n = 987654, 4
	for range n {
		unix.Close(fd)
	}
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	t.Logf("script output:\n%s", out.String())
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("script after SIGINT: %v, want exit status 130", err)
	}
	if !strings.HasPrefix(out.String(), "\n\n@closes[") || !strings.Contains(out.String(), "\n@closes[987654]: 4\n") {
		t.Errorf("output %q: want the map, with @closes[987654]: 4", out.String())
	}
	if after := snapshot(root); after != before {
		t.Errorf("tracefs after the script:\n%s\nwant as before:\n%s", after, before)
	}
}
