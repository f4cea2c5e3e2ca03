package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestFieldlessELineSameBytes (host and 6.1 VM): an e line that names no
// field prints every field of the record, name=value in format order, and
// both backends, tracing the same execs side by side, print the same
// bytes after the header for each.
func TestFieldlessELineSameBytes(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	dir, err := os.MkdirTemp("/tmp", "stx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "t")
	data, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 3
	line := `e sched/sched_process_exec f:filename=="` + bin + `"`
	var procs []*cliProc
	for _, backend := range []string{"bpf", "ftrace"} {
		procs = append(procs, startCLI(t, "-q", "--backend", backend, "--duration", "60s", "--max-events", "3", line))
	}
	var want []string
	for range n {
		c := exec.Command(bin)
		if err := c.Run(); err != nil {
			t.Fatal(err)
		}
		pid := c.ProcessState.Pid()
		want = append(want, `filename="`+bin+`" pid=`+strconv.Itoa(pid)+` old_pid=`+strconv.Itoa(pid))
	}
	var got [2][]string
	for i, p := range procs {
		if code := p.wait(t, 20*time.Second); code != exitOK {
			t.Errorf("backend %d: exit %d: %s", i, code, p.stderr.String())
		}
		for _, l := range parseTrace(t, p.stdout.String()) {
			got[i] = append(got[i], l.Fields)
		}
	}
	if joinLines(got[0]) != joinLines(want) {
		t.Errorf("bpf printed\n%swant\n%s", joinLines(got[0]), joinLines(want))
	}
	if joinLines(got[1]) != joinLines(got[0]) {
		t.Errorf("ftrace printed\n%sbpf\n%s", joinLines(got[1]), joinLines(got[0]))
	}
}
