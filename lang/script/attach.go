package script

import (
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// kinds maps every spelling of a probe kind, long and short, to its
// normalized lang.ProbeKind (kfunc and kretfunc are fentry and fexit).
var kinds = map[string]lang.ProbeKind{
	"kprobe": lang.Kprobe, "k": lang.Kprobe,
	"kretprobe": lang.Kretprobe, "kr": lang.Kretprobe,
	"tracepoint": lang.Tracepoint, "t": lang.Tracepoint,
	"rawtracepoint": lang.RawTracepoint, "rt": lang.RawTracepoint,
	"fentry": lang.Fentry, "kfunc": lang.Fentry, "f": lang.Fentry,
	"fexit": lang.Fexit, "kretfunc": lang.Fexit, "fr": lang.Fexit,
	"BEGIN":    lang.Begin,
	"END":      lang.End,
	"interval": lang.Interval, "i": lang.Interval,
	"uprobe": lang.Uprobe, "u": lang.Uprobe,
	"uretprobe": lang.Uretprobe, "ur": lang.Uretprobe,
	"usdt": lang.Usdt, "U": lang.Usdt,
	"profile": lang.Profile, "p": lang.Profile,
	"software": lang.Software, "s": lang.Software,
	"hardware": lang.Hardware, "h": lang.Hardware,
	"watchpoint": lang.Watchpoint, "w": lang.Watchpoint,
	"asyncwatchpoint": lang.AsyncWatchpoint, "aw": lang.AsyncWatchpoint,
	"iter": lang.Iter, "it": lang.Iter,
	"tc": lang.TC,
}

// kindNames are the long spellings, for did-you-mean hints.
var kindNames = []string{
	"kprobe", "kretprobe", "tracepoint", "rawtracepoint", "fentry", "fexit",
	"kfunc", "kretfunc", "BEGIN", "END", "interval", "uprobe", "uretprobe",
	"usdt", "profile", "software", "hardware", "watchpoint",
	"asyncwatchpoint", "iter", "tc",
}

// attachPoint converts "kind[:path]" and checks the path's shape per kind.
func (c *converter) attachPoint(a *attach) *lang.AttachPoint {
	ap := &lang.AttachPoint{Span: c.span(a.Pos, a.EndPos)}
	kindSpan := c.spanLen(a.Pos.Offset, len(a.Kind))
	kind, ok := kinds[a.Kind]
	if !ok {
		c.errorf(kindSpan, "unknown probe kind %s", a.Kind).
			WithHint(lang.DidYouMean(a.Kind, kindNames))
		return ap
	}
	ap.Kind = kind
	path := unquotePath(a.Path)
	pathSpan := c.span(a.Pos, a.EndPos)
	if a.Path != "" {
		pathSpan = c.spanLen(a.EndPos.Offset-len(a.Path), len(a.Path))
	}
	switch kind {
	case lang.Begin, lang.End:
		if a.Path != "" {
			c.errorf(pathSpan, "%s takes no target", a.Kind)
		}
		return ap
	}
	if path == "" {
		c.errorf(kindSpan, "%s needs a target, as in %s", a.Kind, example[kind])
		return ap
	}
	ap.Target = path
	// In user-space targets a parenthesis belongs to a C++ function's
	// demangled name ("ns::f(int)"), never to an argument selector.
	user := kind == lang.Uprobe || kind == lang.Uretprobe || kind == lang.Usdt
	if i := strings.IndexByte(path, '('); i >= 0 && !user {
		ap.Target, ap.ArgType = path[:i], c.argSelector(kind, path[i:], pathSpan)
		path = ap.Target
	}
	switch kind {
	case lang.Kprobe, lang.Uprobe:
		if i := strings.LastIndexByte(path, '+'); i >= 0 {
			off, err := parseInt(path[i+1:])
			if err != nil || i == 0 {
				c.errorf(pathSpan, "bad offset in %s, want %s", path, example[kind])
			}
			ap.Target, ap.Offset = path[:i], off
		}
	case lang.Kretprobe, lang.Uretprobe:
		if strings.Contains(path, "+") {
			c.errorf(pathSpan, "%s takes no offset", a.Kind)
		}
	case lang.Tracepoint:
		if p := strings.Split(path, ":"); len(p) != 2 || p[0] == "" || p[1] == "" {
			c.errorf(pathSpan, "want %s", example[kind])
		}
	case lang.Interval, lang.Profile:
		c.period(ap, path, pathSpan)
	case lang.TC:
		dir, dev, _ := strings.Cut(path, ":")
		if dir != "ingress" && dir != "egress" || dev == "" || strings.Contains(dev, ":") {
			c.errorf(pathSpan, "want %s", example[kind])
		}
	case lang.Software, lang.Hardware:
		if ev, n, ok := strings.Cut(path, ":"); ok {
			count, err := parseInt(n)
			if err != nil {
				c.errorf(pathSpan, "bad count %q, want %s", n, example[kind])
			}
			ap.Target, ap.Period = ev, count
		}
	}
	return ap
}

// argSelector checks "(struct NAME *)" after a kprobe, kretprobe, fentry,
// fexit or rawtracepoint target and returns it normalized: "struct NAME *".
func (c *converter) argSelector(kind lang.ProbeKind, sel string, sp lang.Span) string {
	switch kind {
	case lang.Kprobe, lang.Kretprobe, lang.Fentry, lang.Fexit, lang.RawTracepoint:
	default:
		c.errorf(sp, "%s takes no argument selector; kprobe, kretprobe, fentry, fexit and rawtracepoint do, as in kprobe:ip_*(struct sk_buff *)", kind)
		return ""
	}
	f := strings.Fields(strings.NewReplacer("(", " ", ")", " ", "*", " * ").Replace(sel))
	if len(f) != 3 || f[0] != "struct" || f[2] != "*" {
		c.errorf(sp, "bad argument selector %s, want (struct NAME *) as in kprobe:ip_*(struct sk_buff *)", sel)
		return ""
	}
	return "struct " + f[1] + " *"
}

// period parses "UNIT:N" of interval and profile probes.
func (c *converter) period(ap *lang.AttachPoint, path string, sp lang.Span) {
	ap.Target = ""
	unit, n, _ := strings.Cut(path, ":")
	v, err := parseInt(n)
	switch {
	case unit != "s" && unit != "ms" && unit != "us" && unit != "hz":
		c.errorf(sp, "unknown unit %q, want s, ms, us or hz as in %s", unit, example[ap.Kind])
	case err != nil || v == 0:
		c.errorf(sp, "want a positive count as in %s", example[ap.Kind])
	}
	ap.Unit, ap.Period = unit, v
}

// example shows each kind's attach point, for error messages.
var example = map[lang.ProbeKind]string{
	lang.Kprobe:          "kprobe:FUNCTION[+OFFSET]",
	lang.Kretprobe:       "kretprobe:FUNCTION",
	lang.Tracepoint:      "tracepoint:SUBSYSTEM:EVENT",
	lang.RawTracepoint:   "rawtracepoint:EVENT",
	lang.Fentry:          "fentry:[MODULE:]FUNCTION",
	lang.Fexit:           "fexit:[MODULE:]FUNCTION",
	lang.Interval:        "interval:s:1",
	lang.Profile:         "profile:hz:99",
	lang.Uprobe:          "uprobe:BINARY:FUNCTION[+OFFSET]",
	lang.Uretprobe:       "uretprobe:BINARY:FUNCTION",
	lang.Usdt:            "usdt:BINARY:[PROVIDER:]PROBE",
	lang.Software:        "software:EVENT[:COUNT]",
	lang.Hardware:        "hardware:EVENT[:COUNT]",
	lang.Watchpoint:      "watchpoint:ADDRESS:LENGTH:MODE",
	lang.AsyncWatchpoint: "asyncwatchpoint:ADDRESS:LENGTH:MODE",
	lang.Iter:            "iter:ITERATOR",
	lang.TC:              "tc:ingress:DEVICE or tc:egress:DEVICE",
}

// unquotePath drops the quotes bpftrace allows around path parts
// (uprobe:"/opt/my app":main) and the backslashes of escapes.
func unquotePath(p string) string {
	if !strings.ContainsAny(p, `"\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '"':
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteByte(p[i])
			}
		default:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}
