package compiler

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// lineProbe is one checked expression line: where it attaches, the fields
// of its record and its filter, ready for code generation.
type lineProbe struct {
	probe     *spec.Probe
	fields    []*lineField
	filter    cond // nil when the line has none
	filterSrc string
	// temps are strings the filter compares that no field holds.
	temps []*lineField
	stack bool // -s: take a stack id
	event int  // the index of its Event in Program.Events
	ring  int  // the events ring buffer's size, for batched wakeups
}

// fieldKind says how a field's bytes are produced.
type fieldKind int

const (
	fieldScalar fieldKind = iota // Size bytes of n
	fieldString                  // NUL-terminated copy from addr (or char * n)
	fieldBytes                   // Size raw bytes copied from addr
	fieldComm                    // the header's comm
)

// lineField is one NAME=VALUE of a line, or a filter temporary.
type lineField struct {
	out  *spec.Field
	kind fieldKind
	v    *value
	n    codegen.Node // fieldScalar: the value; fieldString from char *: the pointer
	at   lang.Node
	// signed says comparisons treat the value as signed.
	signed bool
}

// lineChecker types one expression line.
type lineChecker struct {
	ki    *kinfo
	opts  Options
	kind  spec.AttachKind
	fn    string                    // the function, for p and r lines
	proto *btf.FuncProto            // nil when BTF does not know the function
	tp    []*kernel.TracepointField // e lines: the record's fields
	// userPtrs says the pointer fields of tp, and the pointers a P or R
	// line casts to, point into user memory: the
	// arguments of syscalls tracepoints.
	userPtrs bool
	// namedInts types an integer field that the print fmt shows with
	// __print_symbolic as an enum of those names (scripts; see
	// symbolicEnum).
	namedInts bool
	byName    map[string]*lineField
}

// checkLine types expression-line probe p.
func checkLine(ki *kinfo, opts Options, p *lang.Probe, index int) *lineProbe {
	if len(p.Attach) != 1 || len(p.Body) != 1 {
		fail(p, "an expression line has one attach point and one trace")
	}
	ap := p.Attach[0]
	c := &lineChecker{ki: ki, opts: opts, byName: map[string]*lineField{}}
	lp := &lineProbe{probe: &spec.Probe{Index: index, Name: p.Name, Pos: ap.Pos, Offset: ap.Offset}, stack: opts.Stack, event: index, ring: opts.RingSize}
	c.attach(ap, lp.probe)
	trace, ok := p.Body[0].(*lang.TraceStmt)
	if !ok {
		fail(p.Body[0], "an expression line's body is a trace")
	}
	for _, tf := range lineFields(trace, ap, c.tp) {
		if _, dup := c.byName[tf.Name]; dup {
			fail(tf, "field %s is defined twice", tf.Name)
		}
		var f *lineField
		if len(trace.Fields) == 0 {
			f = c.wholeField(tf)
		} else {
			f = c.field(tf)
		}
		c.byName[tf.Name] = f
		lp.fields = append(lp.fields, f)
	}
	if p.Pred != nil {
		lp.filter, lp.filterSrc = c.cond(p.Pred, lp), "f:"+source(p.Pred)
	}
	return lp
}

// attach resolves the attach point and, for functions, the prototype.
func (c *lineChecker) attach(ap *lang.AttachPoint, pr *spec.Probe) {
	switch ap.Kind {
	case lang.Kprobe, lang.Kretprobe:
		c.kind, pr.Kind = spec.AttachKprobe, spec.AttachKprobe
		if ap.Kind == lang.Kretprobe {
			c.kind, pr.Kind = spec.AttachKretprobe, spec.AttachKretprobe
		}
		c.fn = ap.Target
		target, ok := c.ki.resolveFunc(ap.Target)
		proto, hasBTF := c.ki.funcProto(ap.Target)
		if !ok && !hasBTF {
			failHint(ap, c.ki.funcHint(ap.Target), "unknown kernel function %s", ap.Target)
		}
		if !ok {
			target = ap.Target
		}
		pr.Target, c.proto = target, proto
		pr.End, pr.SeenBy = ap.End, c.ki.seenBy(proto)
	case lang.Tracepoint:
		sub, ev, ok := strings.Cut(strings.ReplaceAll(ap.Target, "/", ":"), ":")
		if !ok || sub == "" || ev == "" {
			fail(ap, "tracepoint %q: want SUBSYS/EVENT", ap.Target)
		}
		fields, err := c.ki.tracepoint(sub, ev)
		if err == errNoTracepoint {
			fail(ap, "unknown tracepoint %s/%s", sub, ev)
		} else if err != nil {
			fail(ap, "tracepoint %s/%s: %v", sub, ev, err)
		}
		c.kind, pr.Kind, pr.Target, c.tp = spec.AttachTracepoint, spec.AttachTracepoint, sub+":"+ev, fields
		c.userPtrs = sub == "syscalls"
	case lang.Uprobe, lang.Uretprobe:
		c.attachUser(ap, pr)
	default:
		fail(ap, "%s probes are not expression lines", ap.Kind)
	}
}

// field types one NAME=VALUE and decides its layout and render.
func (c *lineChecker) field(tf *lang.TraceField) *lineField {
	v := c.expr(tf.Value)
	f := &lineField{out: &spec.Field{Name: tf.Name}, v: v, at: tf}
	render, size, forced := prefixRender(tf.Name)
	switch {
	case v.comm:
		f.kind, f.out.Size, f.out.Render = fieldComm, 16, spec.RenderString
	case forced && (render == spec.RenderIPv6 || render == spec.RenderMAC):
		if v.addr == nil {
			fail(tf.Value, "%s needs a %d-byte value in memory, got %s", tf.Name, size, kernel.CType(v.t))
		}
		f.kind, f.out.Size, f.out.Render = fieldBytes, size, render
	case v.isString() && !forced:
		f.kind, f.out.Size, f.out.Render = fieldString, c.strSize(v), spec.RenderString
		if isCharPtr(v.t) && !v.str {
			f.n = rvalue(v, tf.Value)
		}
	case v.stackID():
		f.kind, f.out.Size, f.out.Render, f.n = fieldScalar, 8, spec.RenderStackID, v.n
	default:
		v = unwrapSingle(v)
		f.v = v
		if !isScalar(v.t) {
			fail(tf.Value, "%s is a %s; name a member or cast it", tf.Name, kernel.CType(v.t))
		}
		f.kind, f.n, f.signed = fieldScalar, rvalue(v, tf.Value), isSigned(v.t)
		f.out.Size = sizeof(v.t)
		f.out.Render = defaultRender(v.t)
		if names := enumNames(v.t); names != nil && c.kind == spec.AttachTracepoint {
			// As ftrace's __print_symbolic shows it; kprobe lines keep
			// the number, as the ftrace backend's fetch args print it.
			f.out.Render, f.out.Enum = spec.RenderEnum, names
		}
		if forced {
			f.out.Size, f.out.Render = size, render
		}
		if !validSize(f.out.Size) {
			f.out.Size = 8
		}
	}
	switch tf.Format {
	case 'S':
		f.out.Render, f.signed = spec.RenderSigned, true
	case 'U':
		f.out.Render, f.signed = spec.RenderUnsigned, false
	case 'X':
		f.out.Render = spec.RenderHex
	}
	return f
}

// lineFields is what a line prints: its own NAME=VALUEs, or for an e
// line that names none, name=name for every field of the tracepoint's
// record after the common ones, in format order, positioned at the
// attach point. Both backends print these, so that a bare e line shows
// the same fields whichever runs.
func lineFields(trace *lang.TraceStmt, ap *lang.AttachPoint, tp []*kernel.TracepointField) []*lang.TraceField {
	if len(trace.Fields) > 0 || ap.Kind != lang.Tracepoint {
		return trace.Fields
	}
	var out []*lang.TraceField
	for _, f := range tp {
		if f.Offset < 8 || strings.HasPrefix(f.Name, "common_") {
			continue
		}
		out = append(out, &lang.TraceField{Span: ap.Span, Name: f.Name, Value: &lang.Ident{Span: ap.Span, Name: f.Name}})
	}
	return out
}

// wholeField types a field lineFields made up: as a named field, except
// that name prefixes (ip_, mac_, b16_, ...) ask for nothing, integers
// print signed when the format says signed:1 and arrays other than
// strings print as raw bytes.
func (c *lineChecker) wholeField(tf *lang.TraceField) *lineField {
	var tp *kernel.TracepointField
	for _, f := range c.tp {
		if f.Name == tf.Name {
			tp = f
		}
	}
	if !tp.IsString() && (tp.Array > 0 || !validSize(tp.Size)) {
		v := c.tpValue(tp, tf)
		return &lineField{out: &spec.Field{Name: tf.Name, Size: tp.Size, Render: spec.RenderBytes}, kind: fieldBytes, v: v, at: tf}
	}
	// The kernel's names ask for no render: mac_header_valid is a bool,
	// ip_summed a number.
	plain := *tf
	plain.Name = "field"
	f := c.field(&plain)
	f.out.Name, f.at = tf.Name, tf
	if f.kind == fieldScalar && f.out.Render == spec.RenderUnsigned && tp.Signed {
		f.out.Render, f.signed = spec.RenderSigned, true
	}
	return f
}

// strSize is how many bytes a string field keeps.
func (c *lineChecker) strSize(v *value) int {
	if a, ok := under(v.t).(*btf.Array); ok && !v.str && a.Nelems > 0 && int(a.Nelems) < c.opts.StrSize {
		return int(a.Nelems)
	}
	return c.opts.StrSize
}

// stackID reports whether v is $stack.
func (v *value) stackID() bool {
	_, ok := v.n.(*codegen.StackID)
	return ok
}

// prefixRender returns the render and size a NAME's prefix asks for.
func prefixRender(name string) (spec.Render, int, bool) {
	for _, p := range []struct {
		prefix string
		render spec.Render
		size   int
	}{
		{"ip6_", spec.RenderIPv6, 16}, {"ip_", spec.RenderIPv4, 4}, {"mac_", spec.RenderMAC, 6},
		{"b16_", spec.RenderBE, 2}, {"b32_", spec.RenderBE, 4}, {"b64_", spec.RenderBE, 8},
		{"B16_", spec.RenderBEHex, 2}, {"B32_", spec.RenderBEHex, 4}, {"B64_", spec.RenderBEHex, 8},
	} {
		if strings.HasPrefix(name, p.prefix) {
			return p.render, p.size, true
		}
	}
	return 0, 0, false
}

// defaultRender shows pointers and globals BTF does not describe in hex,
// integers in decimal.
func defaultRender(t btf.Type) spec.Render {
	if isPointer(t) || t == globalWord {
		return spec.RenderHex
	}
	return spec.RenderUnsigned
}

// enumNames maps the values of enum t, truncated to its size, to their
// names; nil when t is no enum. The first name of a value wins.
func enumNames(t btf.Type) map[uint64]string {
	e, ok := under(t).(*btf.Enum)
	if !ok || len(e.Values) == 0 {
		return nil
	}
	mask := ^uint64(0)
	if e.Size < 8 {
		mask = 1<<(8*e.Size) - 1
	}
	names := make(map[uint64]string, len(e.Values))
	for _, v := range e.Values {
		if _, dup := names[v.Value&mask]; !dup {
			names[v.Value&mask] = v.Name
		}
	}
	return names
}

// argNames lists a prototype's parameter names for messages.
func argNames(p *btf.FuncProto) string {
	names := make([]string, len(p.Params))
	for i, prm := range p.Params {
		names[i] = prm.Name
		if names[i] == "" {
			names[i] = fmt.Sprintf("%%%d", i)
		}
	}
	return strings.Join(names, ", ")
}

// unwrapSingle sees through structs of one member such as atomic_t and
// refcount_t, so that S%0->mm->mm_users prints the counter.
func unwrapSingle(v *value) *value {
	for v.addr != nil {
		s, ok := under(v.t).(*btf.Struct)
		if !ok || len(s.Members) != 1 || s.Members[0].Offset != 0 || s.Members[0].BitfieldSize != 0 {
			return v
		}
		v = &value{t: s.Members[0].Type, addr: v.addr}
	}
	return v
}
