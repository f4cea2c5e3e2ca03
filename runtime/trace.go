package runtime

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// traceLine renders an EventTrace record in ftrace's trace_pipe shape
// without the flags column (comm right-aligned in 16 columns, "-", the
// thread id, the CPU, monotonic seconds.micros, the probe name, where it
// fired in parentheses, then name=value pairs), followed by one
// " => SYMBOL+0xOFF [module]" line per stack frame.
func (p *printer) traceLine(probe *spec.Probe, rec *record) string {
	var b strings.Builder
	render.Header(&b, rec.comm(), int(rec.tid()), int(rec.cpu), rec.nsecs, probe.Name, p.where(probe, rec))
	for _, f := range rec.event.Fields {
		if f.Render == spec.RenderStackID {
			continue
		}
		if f.Render == spec.RenderEnum {
			fmt.Fprintf(&b, " %s=%s", f.Name, render.Enum(rec.field(f), f.Enum))
			continue
		}
		fmt.Fprintf(&b, " %s=%s", f.Name, p.r.traceValue(rec.field(f), f.Render))
	}
	b.WriteString("\n")
	for _, id := range stackIDs(rec) {
		for _, frame := range p.ftraceStack(id) {
			b.WriteString(" => " + frame + "\n")
		}
	}
	return b.String()
}

// where is the part of a trace line in parentheses: SYMBOL+0xOFF for a
// kprobe, CALLER+0xOFF <- SYMBOL for a kretprobe, the event for the
// others.
func (p *printer) where(probe *spec.Probe, rec *record) string {
	switch probe.Kind {
	case spec.AttachKprobe:
		return fmt.Sprintf("%s+0x%x", probe.Target, probe.Offset)
	case spec.AttachKretprobe:
		return p.r.syms.Table().Symbolize(rec.ip) + " <- " + probe.Target
	case spec.AttachBegin, spec.AttachEnd:
		return probe.Kind.String()
	case spec.AttachInterval:
		return "interval:" + probe.Interval.String()
	case spec.AttachUprobe, spec.AttachUretprobe:
		return fmt.Sprintf("0x%x", rec.ip)
	case spec.AttachProfile, spec.AttachSoftware, spec.AttachHardware, spec.AttachWatchpoint, spec.AttachAsyncWatchpoint,
		spec.AttachTCIngress, spec.AttachTCEgress:
		return probe.Name
	default:
		return probe.Target
	}
}

// stackIDs returns the stack ids a record carries: the Event's Stack and
// any field rendered as a stack.
func stackIDs(rec *record) []int64 {
	var ids []int64
	if rec.event.Stack >= 0 {
		ids = append(ids, render.Int(rec.payload[rec.event.Stack:rec.event.Stack+8]))
	}
	for _, f := range rec.event.Fields {
		if f.Render == spec.RenderStackID {
			ids = append(ids, render.Int(rec.field(f)))
		}
	}
	return ids
}

// ftraceStack returns the frames of a stack as ftrace's stacktrace option
// names them ("SYMBOL+0xOFF [module]"), or one line saying why there are
// none.
func (p *printer) ftraceStack(id int64) []string {
	addrs, err := p.r.frames(id)
	if err != nil {
		return []string{"<" + err.Error() + ">"}
	}
	tab := p.r.syms.Table()
	frames := make([]string, len(addrs))
	for i, a := range addrs {
		frames[i] = tab.Frame(a)
	}
	return frames
}
