package tracefs

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
)

// cmdPrefix starts the command line of an error_log entry; the caret line
// under it is indented by as much.
const cmdPrefix = "  Command: "

// logEntry is one error_log entry: "[ts] loc: error: msg", the command
// and a caret under the offending byte of the command.
type logEntry struct {
	Msg string
	Col int // byte of the command the caret is under; -1 when absent
}

// lastLogEntry returns the newest entry of an error_log text whose command
// is cmd.
func lastLogEntry(log, cmd string) (logEntry, bool) {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i > 0; i-- {
		got, ok := strings.CutPrefix(lines[i], cmdPrefix)
		if !ok || strings.TrimSpace(got) != strings.TrimSpace(cmd) {
			continue
		}
		e := logEntry{Msg: lines[i-1], Col: -1}
		if _, msg, ok := strings.Cut(e.Msg, "error: "); ok {
			e.Msg = msg
		}
		if i+1 < len(lines) {
			if c := strings.IndexByte(lines[i+1], '^'); c >= len(cmdPrefix) {
				e.Col = c - len(cmdPrefix)
			}
		}
		return e, true
	}
	return logEntry{}, false
}

// rejected explains why tracefs refused text (a kprobe_events line or a
// filter) of probe p: the kernel's error_log message under the source span
// that produced the offending column, or the plain write error when the
// log has no entry for it.
func (r *run) rejected(p *spec.FtraceProbe, kind spec.FtraceText, text, logFile string, werr error) error {
	log, _ := r.fs.read(logFile)
	e, ok := lastLogEntry(log, text)
	if !ok {
		return fmt.Errorf("%s %s: tracefs refused %q: %w", verb(kind), p.Name, text, werr)
	}
	span, ok := p.SourceAt(kind, r.name, e.Col)
	if !ok {
		span = lang.Span{Pos: p.Pos, End: p.Pos}
	}
	msg := fmt.Sprintf("%s %s: tracefs refused it: %s (column %d of %q)", verb(kind), p.Name, strings.ToLower(e.Msg), e.Col+1, text)
	return lang.Errorf(span, "%s", msg)
}

// verb names what writing text of kind does.
func verb(kind spec.FtraceText) string {
	if kind == spec.FtraceFilter {
		return "set filter"
	}
	return "add kprobe"
}
