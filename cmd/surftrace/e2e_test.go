package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// traceLine is one trace line as surftrace prints it:
// "COMM-PID [CPU] SEC.USEC: NAME: (LOC) FIELDS".
type traceLine struct {
	Comm   string
	Pid    int
	CPU    int
	Time   time.Duration // since boot, CLOCK_MONOTONIC
	Probe  string
	Loc    string
	Fields string
	Raw    string
}

var traceLineRE = regexp.MustCompile(`^ *(.+)-(\d+) +\[(\d{3})\] (\d+)\.(\d{6}): (\w+): \(([^)]*)\)(?: (.*))?$`)

// parseTrace splits out into trace lines and the stack lines under them;
// a line that is neither fails the test.
func parseTrace(t *testing.T, out string) []traceLine {
	t.Helper()
	var lines []traceLine
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" || strings.HasPrefix(l, " => ") || strings.HasPrefix(l, "\t") {
			continue // stack frames
		}
		m := traceLineRE.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("not a trace line: %q", l)
			continue
		}
		pid, _ := strconv.Atoi(m[2])
		cpu, _ := strconv.Atoi(m[3])
		sec, _ := strconv.ParseInt(m[4], 10, 64)
		usec, _ := strconv.ParseInt(m[5], 10, 64)
		lines = append(lines, traceLine{
			Comm: m[1], Pid: pid, CPU: cpu,
			Time:  time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond,
			Probe: m[6], Loc: m[7], Fields: m[8], Raw: l,
		})
	}
	return lines
}

// monotonic returns CLOCK_MONOTONIC, the clock trace lines are stamped with.
func monotonic(t *testing.T) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// traced is what one in-process run of surftrace printed.
type traced struct {
	code           int
	stdout, stderr string
	lines          []traceLine
}

// traceWhile runs surftrace with args (which should bound the run with
// --max-events) and calls traffic once every probe is attached. It checks
// the header of every trace line: the CPU is one this machine has and the
// timestamp lies between the start and the end of the run.
func traceWhile(t *testing.T, args []string, traffic func()) traced {
	t.Helper()
	start := monotonic(t)
	r := runWhile(t, args, traffic)
	end := monotonic(t)
	r.lines = parseTrace(t, r.stdout)
	for _, l := range r.lines {
		if l.CPU < 0 || l.CPU >= goruntime.NumCPU() {
			t.Errorf("cpu %d of %d CPUs: %q", l.CPU, goruntime.NumCPU(), l.Raw)
		}
		// The line keeps microseconds; the clock reads nanoseconds.
		if l.Time < start.Truncate(time.Microsecond) || l.Time > end {
			t.Errorf("timestamp %v outside the run [%v, %v]: %q", l.Time, start, end, l.Raw)
		}
		if l.Pid < 0 || l.Comm == "" {
			t.Errorf("bad comm or pid: %q", l.Raw)
		}
	}
	return r
}

// runWhile runs surftrace with args and calls traffic once every probe is
// attached; it returns what the run printed, for runs that print maps.
func runWhile(t *testing.T, args []string, traffic func()) traced {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready")
	args = append([]string{"--ready-file", ready, "--duration", "60s"}, args...)
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(args, &stdout, &stderr) }()
	var code int
	select {
	case code = <-waitReady(ready, done, traffic):
	case <-time.After(90 * time.Second):
		t.Fatalf("surftrace %q did not stop", args)
	}
	r := traced{code: code, stdout: stdout.String(), stderr: stderr.String()}
	t.Logf("surftrace %q: exit %d\nstdout:\n%sstderr:\n%s", args, code, r.stdout, r.stderr)
	return r
}

// waitReady calls traffic once ready exists, and passes on run's exit code.
func waitReady(ready string, done <-chan int, traffic func()) <-chan int {
	out := make(chan int, 1)
	go func() {
		for {
			select {
			case code := <-done:
				out <- code
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := os.Stat(ready); err == nil {
				break
			}
		}
		traffic()
		out <- <-done
	}()
	return out
}

// fieldsOf returns the Fields of every line of probe.
func fieldsOf(lines []traceLine, probe string) []string {
	var f []string
	for _, l := range lines {
		if l.Probe == probe {
			f = append(f, l.Fields)
		}
	}
	return f
}

// wantFields checks that probe printed exactly n lines, each with fields
// exactly want.
func wantFields(t *testing.T, r traced, probe string, n int, want string) {
	t.Helper()
	got := fieldsOf(r.lines, probe)
	if len(got) != n {
		t.Errorf("%s printed %d lines, want %d", probe, len(got), n)
	}
	for _, g := range got {
		if g != want {
			t.Errorf("%s printed\n\t%s\nwant\n\t%s", probe, g, want)
		}
	}
}

func must(t *testing.T, what string) func(int, error) {
	return func(n int, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(fmt.Errorf("%s: sent %d: %w", what, n, err))
		}
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// wantPayload checks that the string field name of every line is exactly
// want. An Sdata string must end where the packet ends: the payload has no
// NUL of its own, and whatever follows it in memory is not the packet's.
func wantPayload(t *testing.T, lines []string, name, want string) {
	t.Helper()
	q := name + "=" + strconv.Quote(want)
	for _, l := range lines {
		if !strings.HasSuffix(l, " "+q) && !strings.Contains(l, " "+q+" ") {
			t.Errorf("%s reads past the end of the packet (payload %q):\n\t%s", name, want, l)
		}
	}
}
