package compiler

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// CompileFtrace types prog against kernel k as Compile does, and lowers
// each expression line to kprobe_events text, an event filter and a field
// layout for the ftrace backend. What ftrace cannot express (arithmetic on
// fetched values, computed fields of e lines, comparisons between fields,
// ip6_/mac_ filters) is a positioned error naming the construct. Errors
// are *lang.Error (several as lang.ErrorList).
func CompileFtrace(prog *lang.Program, k kernel.Kernel, opts Options) (f *spec.Ftrace, err error) {
	defer catchInternal(&err)
	if opts.StrSize <= 0 {
		opts.StrSize = 64
	}
	ki, err := newKinfo(k)
	if err != nil {
		return nil, err
	}
	f = &spec.Ftrace{Src: prog.Src, Stack: opts.Stack}
	var errs lang.ErrorList
	for i, p := range prog.Probes {
		fp, err := lowerFtraceOne(ki, opts, p, i, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f.Probes = append(f.Probes, fp)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// lowerFtraceOne checks and lowers one line, turning its first error into
// a value so that the other lines are lowered too.
func lowerFtraceOne(ki *kinfo, opts Options, p *lang.Probe, i int, f *spec.Ftrace) (fp *spec.FtraceProbe, err *lang.Error) {
	if !p.Line {
		return lowerFtraceScript(ki, p, i)
	}
	lp, err := checkOne(ki, opts, p, i)
	if err != nil {
		return nil, err
	}
	defer catch(&err)
	l := &ftraceLowerer{ki: ki, lp: lp, src: p, warnings: &f.Warnings}
	return l.probe(), nil
}

// ftraceLowerer lowers one checked line.
type ftraceLowerer struct {
	ki       *kinfo
	lp       *lineProbe
	src      *lang.Probe
	fp       *spec.FtraceProbe
	warnings *[]*lang.Error
	warned   map[string]bool
	tp       []*kernel.TracepointField // e lines: the tracepoint's fields
}

// probe builds the FtraceProbe: definition, event, fields, filter.
func (l *ftraceLowerer) probe() *spec.FtraceProbe {
	pr, ap := l.lp.probe, l.src.Attach[0]
	l.fp = &spec.FtraceProbe{Name: pr.Name, Kind: pr.Kind, Target: pr.Target, Offset: pr.Offset, Pos: pr.Pos}
	trace := l.src.Body[0].(*lang.TraceStmt)
	if pr.Kind.User() {
		fail(ap, "P and R lines need the bpf backend (the ftrace backend has no uprobe_events)")
	}
	if pr.Kind == spec.AttachTracepoint {
		sub, ev, _ := strings.Cut(pr.Target, ":")
		l.fp.Target, l.fp.Event = sub+"/"+ev, sub+"/"+ev
		l.tp, _ = l.ki.tracepoint(sub, ev)
		for i, tf := range lineFields(trace, ap, l.tp) {
			l.fp.Fields = append(l.fp.Fields, l.tpField(tf, l.lp.fields[i]))
		}
	} else {
		l.fp.Event = spec.FtraceGroup + "/" + pr.Name
		def := &ftext{kind: spec.FtraceDef}
		letter := "p"
		if pr.Kind == spec.AttachKretprobe {
			letter = "r"
		}
		def.add(fmt.Sprintf("%s:%s/%s ", letter, spec.FtraceGroup, pr.Name), nil)
		target := pr.Target
		if pr.Offset > 0 {
			target += fmt.Sprintf("+%d", pr.Offset)
		}
		def.add(target, ap)
		for i, tf := range trace.Fields {
			def.add(" ", nil)
			l.fp.Fields = append(l.fp.Fields, l.field(def, tf, l.lp.fields[i]))
		}
		l.fp.Def = def.b.String()
		l.fp.Spans = def.spans
	}
	if l.lp.filter != nil {
		text := &ftext{kind: spec.FtraceFilter}
		l.cond(text, l.lp.filter, l.src.Pred, 0)
		l.fp.Filter = text.b.String()
		l.fp.Spans = append(l.fp.Spans, text.spans...)
	}
	return l.fp
}

// tpField accepts a field of an e line: ftrace prints a tracepoint's own
// fields, so a field may only name one of them.
func (l *ftraceLowerer) tpField(tf *lang.TraceField, f *lineField) *spec.FtraceField {
	if _, ok := tf.Value.(*lang.Ident); !ok || f.kind == fieldComm || f.out.Render == spec.RenderStackID {
		fail(tf.Value, "ftrace cannot compute fields of an e line (the event prints its own fields); name a plain tracepoint field or use the bpf backend")
	}
	return &spec.FtraceField{Name: tf.Name, Render: f.out.Render, Size: f.out.Size, TPField: tf.Value.(*lang.Ident).Name, Enum: f.out.Enum}
}

// warn records a warning once per message and probe.
func (l *ftraceLowerer) warn(at lang.Node, msg string) {
	if l.warned == nil {
		l.warned = map[string]bool{}
	}
	if !l.warned[msg] {
		l.warned[msg] = true
		*l.warnings = append(*l.warnings, lang.Errorf(at.Extent(), "%s", msg))
	}
}

// ftext builds a probe's text while recording where each part came from.
type ftext struct {
	kind  spec.FtraceText
	b     strings.Builder
	spans []spec.FtraceSpan
}

// add appends s, recording that it came from src (when not nil).
func (t *ftext) add(s string, src lang.Node) {
	start := t.b.Len()
	t.b.WriteString(s)
	if src != nil {
		t.spans = append(t.spans, spec.FtraceSpan{Text: t.kind, Start: start, End: t.b.Len(), Src: src.Extent()})
	}
}

// mark records that the text written since start came from src.
func (t *ftext) mark(start int, src lang.Node) {
	t.spans = append(t.spans, spec.FtraceSpan{Text: t.kind, Start: start, End: t.b.Len(), Src: src.Extent()})
}
