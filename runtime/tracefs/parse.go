package tracefs

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// Event is one event line read from trace_pipe.
type Event struct {
	Comm      string
	Pid       int
	CPU       int
	Sec, Usec uint64
	Probe     *spec.FtraceProbe
	// Loc is the probe location without ftrace's "/0xSIZE":
	// "ip_output+0x0", or "caller+0x36 <- sym" for a kretprobe, or
	// "subsys:event" for a tracepoint, as the bpf backend shows them.
	Loc string
	// Values holds each of Probe.Fields as ftrace printed it (kprobes), or
	// for a tracepoint read with options/fields, as the bpf backend prints it.
	Values []string
	// Body is a tracepoint's own text, as its print format made it.
	Body string
}

// header matches "comm-pid [cpu] flags secs.usecs: rest", with the
// optional "(tgid)" column of record-tgid and the optional flags column.
var header = regexp.MustCompile(`^\s*(.*?)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+(?:\S+\s+)?(\d+)\.(\d+): (.*)$`)

// sizeSuffix is the "/0xd0" ftrace appends to symbol+offset.
var sizeSuffix = regexp.MustCompile(`(\+0x[0-9a-f]+)/0x[0-9a-f]+`)

// commField is the hidden fetch argument the runner adds to every kprobe
// so that lines show the real comm, as the bpf backend's records do, where
// ftrace would print "<...>" for a task missing from saved_cmdlines.
const commField = "__surftrace_comm"

// parseLine parses one trace_pipe line of one of probes. ok is false for
// lines that are not events of probes (stack lines, lost-event notes).
func parseLine(line string, probes []*spec.FtraceProbe) (ev *Event, ok bool, err error) {
	m := header.FindStringSubmatch(line)
	if m == nil {
		return nil, false, nil
	}
	p, rest := matchProbe(m[6], probes)
	if p == nil {
		return nil, false, nil
	}
	ev = &Event{Comm: m[1], Probe: p}
	ev.Pid, _ = strconv.Atoi(m[2])
	ev.CPU, _ = strconv.Atoi(m[3])
	ev.Sec, _ = strconv.ParseUint(m[4], 10, 64)
	ev.Usec, _ = strconv.ParseUint(m[5], 10, 64)
	if p.Kind == spec.AttachTracepoint {
		ev.Loc, ev.Body = strings.Replace(p.Target, "/", ":", 1), rest
		if ev.Comm == "<...>" {
			ev.Comm = threadComm(ev.Pid, ev.Comm)
		}
		return ev, true, nil
	}
	if err := ev.parseKprobe(rest); err != nil {
		return nil, false, fmt.Errorf("parse %s event %q: %w", p.Name, line, err)
	}
	return ev, true, nil
}

// threadComm reads the comm of thread tid from /proc, for tracepoint
// lines, which cannot carry a hidden comm argument: ftrace prints "<...>"
// for a task missing from its saved_cmdlines, where the bpf backend always
// has the comm. It returns def when the thread is gone.
func threadComm(tid int, def string) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/comm")
	if err != nil {
		return def
	}
	return strings.TrimSuffix(string(b), "\n")
}

// matchProbe finds the probe whose event printed text, the part of a line
// after the timestamp, and returns the rest of text. Events print
// "event: ..." except syscall tracepoints: "sys_NAME(args)" on entry and
// "sys_NAME -> 0x0" on exit.
func matchProbe(text string, probes []*spec.FtraceProbe) (*spec.FtraceProbe, string) {
	for _, p := range probes {
		event := p.Name
		if p.Kind == spec.AttachTracepoint {
			_, event, _ = strings.Cut(p.Target, "/")
		}
		if rest, ok := strings.CutPrefix(text, event+":"); ok {
			return p, strings.TrimPrefix(rest, " ")
		}
		if name, ok := strings.CutPrefix(event, "sys_enter_"); ok && strings.HasPrefix(text, "sys_"+name+"(") {
			return p, text
		}
		if name, ok := strings.CutPrefix(event, "sys_exit_"); ok && strings.HasPrefix(text, "sys_"+name+" -> ") {
			return p, text
		}
	}
	return nil, ""
}

// parseKprobe parses "(loc) name=value ..." in the order of the fields.
func (ev *Event) parseKprobe(rest string) error {
	if !strings.HasPrefix(rest, "(") {
		return fmt.Errorf("no location")
	}
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return fmt.Errorf("unterminated location")
	}
	ev.Loc = sizeSuffix.ReplaceAllString(rest[1:end], "$1")
	if ev.Probe.Kind == spec.AttachKprobe {
		// The probe's own location, as the bpf backend prints it: on a
		// kernel with IBT (Debian's 6.12) the kernel moves a probe at
		// SYMBOL+0 past the 4-byte ENDBR and prints SYMBOL+0x4.
		ev.Loc = fmt.Sprintf("%s+0x%x", ev.Probe.Target, ev.Probe.Offset)
	}
	rest = rest[end+1:]
	names := make([]string, 0, len(ev.Probe.Fields)+1)
	for _, f := range ev.Probe.Fields {
		names = append(names, f.Name)
	}
	names = append(names, commField)
	for i, name := range names {
		v, after, err := cutValue(rest, name, names[i+1:])
		if err != nil {
			return err
		}
		if name == commField {
			ev.Comm = strings.Trim(v, `"`)
		} else {
			ev.Values = append(ev.Values, v)
		}
		rest = after
	}
	return nil
}

// cutValue cuts " name=value" off the front of s. A quoted value (a string)
// ends at the quote followed by the next field or the end of the line, so
// quotes and spaces inside it are kept.
func cutValue(s, name string, next []string) (value, rest string, err error) {
	s, ok := strings.CutPrefix(s, " "+name+"=")
	if !ok {
		return "", "", fmt.Errorf("want field %s at %q", name, s)
	}
	if !strings.HasPrefix(s, `"`) {
		v, r, _ := strings.Cut(s, " ")
		if r != "" {
			r = " " + r
		}
		return v, r, nil
	}
	stop := len(s)
	if len(next) > 0 {
		if i := strings.LastIndex(s, `" `+next[0]+"="); i >= 0 {
			stop = i + 1
		}
	}
	return s[:stop], s[stop:], nil
}
