package line

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/surftrace/surftrace/lang"
)

// kinds maps the probe letters to their kinds.
var kinds = map[string]lang.ProbeKind{
	"p": lang.Kprobe,
	"r": lang.Kretprobe,
	"e": lang.Tracepoint,
	"P": lang.Uprobe,
	"R": lang.Uretprobe,
}

// kindAliases maps other spellings users try to the letter they meant.
var kindAliases = map[string]string{
	"k": "p", "kprobe": "p",
	"kr": "r", "kretprobe": "r",
	"u": "P", "uprobe": "P", "ur": "R", "uretprobe": "R",
	"t": "e", "tp": "e", "tracepoint": "e", "E": "e",
}

// checkKind reports an unknown probe letter, or returns nil.
func (c *converter) checkKind(l *probeLine) *lang.Error {
	if _, ok := kinds[l.Kind]; ok {
		return nil
	}
	e := lang.Errorf(c.tokSpan(l.Pos, len(l.Kind)), "unknown probe kind %s, want p, r, e, P or R", l.Kind)
	if alias, ok := kindAliases[l.Kind]; ok {
		e.WithHint("did you mean " + alias + "?")
	}
	return e
}

// probe converts a whole line.
func (c *converter) probe(l *probeLine, index int) *lang.Probe {
	if e := c.checkKind(l); e != nil {
		c.fail(e)
	}
	probe := &lang.Probe{
		Span:   c.span(l.Pos, l.EndPos),
		Attach: []*lang.AttachPoint{c.attach(kinds[l.Kind], l.Target)},
		Body:   []lang.Stmt{c.trace(l)},
		Line:   true,
		Name:   l.Kind + strconv.Itoa(index),
	}
	if l.Filter != nil {
		probe.Pred = c.filter(l.Filter)
	}
	return probe
}

// attach converts the target for a probe of the given kind.
func (c *converter) attach(kind lang.ProbeKind, t *target) *lang.AttachPoint {
	ap := &lang.AttachPoint{Span: c.span(t.Pos, t.EndPos), Kind: kind, Target: t.Name}
	if kind == lang.Uprobe || kind == lang.Uretprobe {
		return c.userAttach(kind, t, ap)
	}
	sepPos := t.Pos
	sepPos.Offset += len(t.Name)
	sep := c.tokSpan(sepPos, len(t.Sep))
	restPos := sepPos
	restPos.Offset += len(t.Sep)
	rest := c.tokSpan(restPos, len(t.Rest))
	switch {
	case kind == lang.Tracepoint && (t.Sep == "/" || t.Sep == ":"):
		if t.Rest == "" {
			c.failf(sep, "missing event name after %s", t.Sep)
		}
		ap.Target = t.Name + ":" + t.Rest
	case kind == lang.Tracepoint:
		c.fail(lang.Errorf(ap.Span, "want SUBSYS/EVENT after e").WithHint("e sched/sched_switch, for example"))
	case t.Sep == "+" && kind == lang.Kretprobe:
		c.failf(sep, "a kretprobe takes no offset")
	case t.Sep == "+":
		if t.Rest == "" {
			c.failf(sep, "missing offset after +")
		}
		off, err := parseUint(t.Rest)
		if err != nil {
			c.failf(rest, "bad offset %s, want a decimal or 0x hex number", t.Rest)
		}
		ap.Offset = off
	case t.Sep != "":
		c.fail(lang.Errorf(sep, "unexpected %q, want SYMBOL[+OFF]", t.Sep).
			WithHint("for a tracepoint write e SUBSYS/EVENT"))
	}
	return ap
}

// trace converts the fields into the line's one trace statement.
func (c *converter) trace(l *probeLine) *lang.TraceStmt {
	st := &lang.TraceStmt{}
	if len(l.Fields) == 0 {
		end := c.pos(l.Target.EndPos)
		st.Span = lang.Span{Pos: end, End: end}
		return st
	}
	st.Span = c.span(l.Fields[0].Pos, l.Fields[len(l.Fields)-1].EndPos)
	seen := map[string]bool{}
	for _, f := range l.Fields {
		tf := c.field(f)
		if seen[tf.Name] {
			c.failf(c.tokSpan(f.Pos, len(tf.Name)), "duplicate field name %s", tf.Name)
		}
		seen[tf.Name] = true
		st.Fields = append(st.Fields, tf)
	}
	return st
}

// field converts one NAME=VALUE.
func (c *converter) field(f *field) *lang.TraceField {
	tf := &lang.TraceField{
		Span: c.span(f.Pos, f.EndPos),
		Name: f.Name,
	}
	if f.Value == nil {
		eq := f.EndPos
		eq.Offset--
		c.failf(c.tokSpan(eq, 1), "missing value after =")
	}
	if fm := f.Value.Format; fm != nil {
		if !strings.Contains("SUX", fm.Text) {
			c.failf(c.tokSpan(fm.Pos, 1), "bad format letter %s, want S, U or X", fm.Text)
		}
		tf.Format = fm.Text[0]
	}
	tf.Value = c.operand(f.Value.X)
	return tf
}

// parseUint reads a decimal or 0x hex number.
func parseUint(s string) (uint64, error) {
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		return strconv.ParseUint(s[2:], 16, 64)
	}
	return strconv.ParseUint(s, 10, 64)
}

// intLit converts an integer token.
func (c *converter) intLit(p lexer.Position, text string) *lang.IntLit {
	sp := c.tokSpan(p, len(text))
	v, err := parseUint(text)
	if err != nil {
		c.failf(sp, "integer %s out of range", text)
	}
	return &lang.IntLit{Span: sp, Value: v, Text: text}
}
