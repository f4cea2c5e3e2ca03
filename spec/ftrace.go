package spec

import (
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// Ftrace is the compiled blueprint of one source for the ftrace backend:
// kprobe_events lines, event filters and the layout of each event's
// fields, for runtime/tracefs to write into its own tracefs instance.
// Building it twice from the same source and kernel description yields the
// same value.
type Ftrace struct {
	Src    *lang.Source
	Probes []*FtraceProbe
	// Warnings are positioned notes about approximations the ftrace form
	// makes (such as a fixed 20-byte IPv4 header); the program still runs.
	Warnings []*lang.Error
	// Stack asks for the kernel stack under each event (-s): the
	// instance's stacktrace option.
	Stack bool
}

// FtraceGroup stands for the kprobe event group in FtraceProbe.Def and
// FtraceProbe.Event until the runtime picks its own (surftrace_PID).
const FtraceGroup = "GROUP"

// FtraceProbe is one expression line lowered to ftrace.
type FtraceProbe struct {
	// Name is the probe's display name and, for kprobes, its event name:
	// "p0", "r1", "e2".
	Name string
	// Kind is AttachKprobe, AttachKretprobe or AttachTracepoint.
	Kind AttachKind
	// Target is the resolved symbol, or "subsys/event" for a tracepoint.
	Target string
	Offset uint64
	// Def is the kprobe_events line, "p:GROUP/p0 ip_output proto=+0x9(%di):u8",
	// with FtraceGroup where the group goes; empty for tracepoints.
	Def string
	// Event is the event's directory under events/: "GROUP/p0" or
	// "sched/sched_process_exec".
	Event string
	// Filter is the event filter in ftrace syntax, "" for none.
	Filter string
	// Fields are the fetch arguments in Def order; for a tracepoint, the
	// tracepoint fields the line prints (every field after the common ones
	// when it names none).
	Fields []*FtraceField
	// Spans map byte ranges of Def and Filter back to the source.
	Spans []FtraceSpan
	// Pos is the line's attach point, for runtime errors.
	Pos lang.Pos
	// Hist, when set, makes the probe a keyed count: the runtime sets a
	// hist trigger on Event instead of printing its events.
	Hist *FtraceHist
}

// FtraceField is one fetch argument: "proto=+0x9(%di):u8".
type FtraceField struct {
	Name string
	// Type is the ftrace fetch type: u8..u64, s8..s64, x8..x64, string,
	// symbol; empty for tracepoint fields (the event prints them itself).
	Type string
	// Render is how the value prints; ftrace prints the raw fetched value
	// and the runtime converts it (ip_ dotted, b16_ byte-swapped, ...).
	Render Render
	// Size is the fetched width in bytes, 0 for strings.
	Size int
	// TPField is, on an e line, the tracepoint field the NAME names.
	TPField string
	// Enum names the values of a RenderEnum field.
	Enum map[uint64]string
}

// FtraceText names which text of a probe a FtraceSpan indexes.
type FtraceText int

// The texts of a probe.
const (
	FtraceDef    FtraceText = iota + 1 // FtraceProbe.Def
	FtraceFilter                       // FtraceProbe.Filter
)

// FtraceSpan says that Text[Start:End] came from Src.
type FtraceSpan struct {
	Text       FtraceText
	Start, End int
	Src        lang.Span
}

// DefLine returns Def with group in place of FtraceGroup.
func (p *FtraceProbe) DefLine(group string) string {
	return strings.Replace(p.Def, FtraceGroup, group, 1)
}

// EventPath returns Event with group in place of FtraceGroup.
func (p *FtraceProbe) EventPath(group string) string {
	if p.Kind == AttachTracepoint {
		return p.Event
	}
	return strings.Replace(p.Event, FtraceGroup, group, 1)
}

// SourceAt maps byte col of text (Def as DefLine(group) wrote it, or
// Filter) to the narrowest source span that produced it. It reports false
// when no span covers col.
func (p *FtraceProbe) SourceAt(text FtraceText, group string, col int) (lang.Span, bool) {
	if text == FtraceDef && col >= strings.Index(p.Def, FtraceGroup)+len(group) {
		col -= len(group) - len(FtraceGroup)
	}
	best, found := FtraceSpan{}, false
	for _, s := range p.Spans {
		if s.Text != text || col < s.Start || col >= s.End {
			continue
		}
		if !found || s.End-s.Start < best.End-best.Start {
			best, found = s, true
		}
	}
	return best.Src, found
}

// FtraceHist is a script probe's keyed count, "@name[key] = count()",
// lowered to an ftrace hist trigger on the probe's event:
// "hist:keys=KEY:vals=hitcount". The runtime reads the event's hist file
// at exit and prints the counts as the bpf backend prints the map.
type FtraceHist struct {
	// Map is the map's name as printed: "@" or "@name".
	Map string
	// Key is the event field the trigger keys on: a tracepoint field, or
	// the fetch argument the probe's Def defines ("key").
	Key string
	// KeyRender is how the key prints: RenderString, RenderSigned or
	// RenderUnsigned.
	KeyRender Render
}

// Trigger is the hist trigger text written to the event's trigger file.
func (h *FtraceHist) Trigger() string {
	return "hist:keys=" + h.Key + ":vals=hitcount"
}
