package tracefs

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/internal/ktest"
)

// syncBuffer is a bytes.Buffer safe for the runner and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// getppidProbe is an e line on sys_enter_getppid filtered to one thread,
// printing the record's one field.
func getppidProbe(tid int) *spec.Ftrace {
	return &spec.Ftrace{Probes: []*spec.FtraceProbe{{
		Name:   "e0",
		Kind:   spec.AttachTracepoint,
		Target: "syscalls/sys_enter_getppid",
		Event:  "syscalls/sys_enter_getppid",
		Filter: fmt.Sprintf("common_pid==%d", tid),
		Fields: []*spec.FtraceField{{Name: "nr", TPField: "__syscall_nr", Size: 4, Render: spec.RenderSigned}},
	}}}
}

// TestRunTracepoint runs a filtered tracepoint line while one thread calls
// getppid a known number of times, and checks the lines it prints.
func TestRunTracepoint(t *testing.T) {
	root := ktest.RequireTracefs(t)
	before := snapshot(root)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out syncBuffer
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, getppidProbe(tid), Options{Root: root, Out: &out, Ready: func() { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	const calls = 5
	t0 := monoMicros(t)
	for range calls {
		unix.Getppid()
	}
	t1 := monoMicros(t)
	want := regexp.MustCompile(fmt.Sprintf(`^ +tracefs\.test-%-7d \[\d{3}\] (\d+)\.(\d{6}): e0: \(syscalls:sys_enter_getppid\) nr=%d$`, tid, unix.SYS_GETPPID))
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") < calls && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a sixth line would be a filter bug
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != calls {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), calls, out.String())
	}
	for _, l := range lines {
		m := want.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("line %q does not match %v", l, want)
			continue
		}
		// trace_clock mono: the stamps are CLOCK_MONOTONIC, as bpf_ktime_get_ns.
		if ts := atoi(m[1])*1e6 + atoi(m[2]); ts < t0-1 || ts > t1+1 {
			t.Errorf("line %q: time %dus not within [%d, %d] of CLOCK_MONOTONIC", l, ts, t0, t1)
		}
	}
	t.Logf("output:\n%s", out.String())
	if after := snapshot(root); after != before {
		t.Errorf("tracefs changed by the run:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// monoMicros reads CLOCK_MONOTONIC in microseconds.
func monoMicros(t *testing.T) int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	return ts.Nano() / 1000
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
