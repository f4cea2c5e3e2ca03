package difftest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// debugfCall matches a call of debugf(), whose text the kernel appends to
// its trace buffer (bpf_trace_printk) instead of the tracer's output.
var debugfCall = regexp.MustCompile(`\bdebugf\s*\(`)

// printkLine matches a bpf_trace_printk line of tracefs's trace file:
// "  difftrig-1234  [001] d.h1. 12.345678: bpf_trace_printk: TEXT";
// group 1 is the task's thread id, group 2 the text.
var printkLine = regexp.MustCompile(`^\s*.*-([0-9]+)\s+\[[0-9]+\].*: bpf_trace_printk: (.*)$`)

// traceSection returns, for a case whose program calls debugf, the text
// that the trigger child's threads (tids, listed before it was released)
// wrote into the kernel trace buffer with bpf_trace_printk, after a
// "-- trace --" line, for withTrace to append to its output so that the
// comparison covers it; "" for other cases. It reads the trace file,
// which keeps the lines (trace_pipe would take them from other readers),
// and picks the child's lines by thread id, so that concurrent runs and
// earlier cases do not mix in.
func traceSection(c *testCase, tids map[string]bool) (string, error) {
	if !debugfCall.MatchString(c.Prog) {
		return "", nil
	}
	dir, err := tracingdir.Mount(os.Stderr)
	if err != nil {
		return "", err
	}
	f, err := os.Open(filepath.Join(dir, "trace"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	b.WriteString("-- trace --\n")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := printkLine.FindStringSubmatch(sc.Text())
		if m != nil && tids[m[1]] {
			b.WriteString(m[2] + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read the trace buffer: %w", err)
	}
	return b.String(), nil
}

// threads lists the thread ids of process pid.
func threads(pid int) map[string]bool {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	tids := map[string]bool{}
	for _, e := range ents {
		tids[e.Name()] = true
	}
	return tids
}

// withTrace appends a case's trace section to its output; blank lines at
// the end of the output, which normalize drops, go, and nothing comes
// before the section when the output was only blank lines.
func withTrace(out, section string) string {
	if section == "" {
		return out
	}
	if out = strings.TrimRight(out, "\n"); out == "" {
		return section
	}
	return out + "\n" + section
}
