package compiler

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// ftraceAggregations are the map functions ftrace has no form for.
var ftraceAggregations = map[string]bool{
	"sum": true, "avg": true, "min": true, "max": true, "hist": true, "lhist": true, "stats": true,
}

// lowerFtraceScript lowers script probe p, which ftrace can run only when
// it is exactly "@[key] = count()" in a kprobe or tracepoint probe whose
// key is a tracepoint field or a fetchable value (argN, comm); anything
// else is a positioned error naming the construct.
func lowerFtraceScript(ki *kinfo, p *lang.Probe, i int) (fp *spec.FtraceProbe, err *lang.Error) {
	defer catch(&err)
	for _, s := range p.Body {
		ftraceCheckStmt(s)
	}
	if len(p.Attach) != 1 {
		fail(p.Attach[1], "ftrace runs one attach point per probe; write one probe each")
	}
	ap := p.Attach[0]
	if ap.Kind != lang.Tracepoint && ap.Kind != lang.Kprobe {
		fail(ap, "ftrace cannot run %s probes; only kprobe and tracepoint probes counting @[key] = count()", ap.Kind)
	}
	if strings.ContainsAny(ap.Target, "*?") {
		fail(ap, "ftrace cannot attach to a wildcard")
	}
	if p.Pred != nil {
		fail(p.Pred, "ftrace cannot run a script predicate; use an expression line's f: filter or the bpf backend")
	}
	if len(p.Body) != 1 {
		fail(p, "ftrace runs one statement per script probe: @[key] = count()")
	}
	as := p.Body[0].(*lang.AssignStmt) // ftraceCheckStmt let only this through
	m := as.Target.(*lang.MapRef)
	name := "@" + m.Name
	fp = &spec.FtraceProbe{Name: fmt.Sprintf("s%d", i), Pos: ap.Pos}
	key := m.Keys[0]
	if ap.Kind == lang.Tracepoint {
		sub, ev, ok := strings.Cut(ap.Target, ":")
		if !ok {
			fail(ap, "want subsys:event")
		}
		fields, terr := ki.tracepoint(sub, ev)
		if terr != nil {
			fail(ap, "tracepoint %s: %v", ap.Target, terr)
		}
		fp.Kind, fp.Target, fp.Event = spec.AttachTracepoint, sub+"/"+ev, sub+"/"+ev
		field := tpArgName(key)
		if field == "" {
			fail(key, "ftrace keys a count on a tracepoint field only (args.NAME); this key is computed")
		}
		var tf *kernel.TracepointField
		for _, f := range fields {
			if f.Name == field {
				tf = f
			}
		}
		if tf == nil {
			fail(key, "tracepoint %s has no field %s", ap.Target, field)
		}
		rd := spec.RenderUnsigned
		switch {
		case tf.DataLoc || tf.Array > 0 && strings.HasPrefix(tf.CType, "char"):
			rd = spec.RenderString
		case tf.Signed:
			rd = spec.RenderSigned
		}
		fp.Hist = &spec.FtraceHist{Map: name, Key: field, KeyRender: rd}
		return fp, nil
	}
	// A kprobe: the key becomes the event's one fetch argument.
	fp.Kind, fp.Target, fp.Event = spec.AttachKprobe, ap.Target, spec.FtraceGroup+"/"+fp.Name
	var fetch string
	rd := spec.RenderUnsigned
	switch k := key.(type) {
	case *lang.Ident:
		var n int
		if k.Name == "comm" {
			fetch, rd = "$comm", spec.RenderString
		} else if _, err := fmt.Sscanf(k.Name, "arg%d", &n); err == nil && fmt.Sprintf("arg%d", n) == k.Name && n < len(ki.regs.args) {
			fetch = "%" + ki.regs.args[n] + ":u64"
		}
	}
	if fetch == "" {
		fail(key, "ftrace keys a kprobe's count on argN or comm only: it cannot compute this key")
	}
	fp.Def = fmt.Sprintf("p:%s/%s %s key=%s", spec.FtraceGroup, fp.Name, ap.Target, fetch)
	typ := "u64"
	if rd == spec.RenderString {
		typ = "string"
	}
	fp.Fields = []*spec.FtraceField{{Name: "key", Render: rd, Type: typ}}
	fp.Hist = &spec.FtraceHist{Map: name, Key: "key", KeyRender: rd}
	return fp, nil
}

// tpArgName returns NAME for args.NAME or args->NAME, else "".
func tpArgName(e lang.Expr) string {
	m, ok := e.(*lang.Member)
	if !ok {
		return ""
	}
	if id, ok := m.X.(*lang.Ident); ok && id.Name == "args" {
		return m.Name
	}
	return ""
}

// ftraceCheckStmt fails at the first construct of s that ftrace cannot
// express, naming it; it lets through only "@[key] = count()" with one key.
func ftraceCheckStmt(s lang.Stmt) {
	switch s := s.(type) {
	case *lang.WhileStmt:
		fail(s, "ftrace cannot run loops (while)")
	case *lang.UnrollStmt:
		fail(s, "ftrace cannot run loops (unroll)")
	case *lang.IfStmt:
		fail(s, "ftrace cannot run if statements in a script probe")
	case *lang.BranchStmt:
		fail(s, "ftrace cannot run %s", s.Tok)
	case *lang.ExprStmt:
		if c, ok := s.X.(*lang.Call); ok {
			fail(s, "ftrace cannot run %s(): a script probe may only count, @[key] = count()", c.Name)
		}
		if _, ok := s.X.(*lang.IncDec); ok {
			fail(s, "ftrace cannot keep scratch variables or maps (%s); only @[key] = count()", "++/--")
		}
		fail(s, "ftrace cannot run this statement; only @[key] = count()")
	case *lang.AssignStmt:
		switch t := s.Target.(type) {
		case *lang.Var:
			fail(t, "ftrace cannot keep scratch variables ($%s)", t.Name)
		case *lang.MapRef:
			c, ok := s.Value.(*lang.Call)
			if ok && ftraceAggregations[c.Name] {
				fail(c, "ftrace cannot compute the aggregation %s(); only count() lowers to a hist trigger", c.Name)
			}
			if !ok || c.Name != "count" || s.Op != "=" {
				fail(s, "ftrace cannot keep maps; only @[key] = count() lowers (to a hist trigger)")
			}
			if len(c.Args) != 0 {
				fail(c, "count() takes no arguments")
			}
			if len(t.Keys) != 1 {
				fail(t, "ftrace's hist trigger here keys on exactly one value: @[key] = count()")
			}
			ftraceCheckKey(t.Keys[0])
			return
		}
		fail(s, "ftrace cannot run this assignment")
	default:
		fail(s, "ftrace cannot run this statement")
	}
}

// ftraceCheckKey names arithmetic, calls and variables in a key.
func ftraceCheckKey(e lang.Expr) {
	switch k := e.(type) {
	case *lang.Binary:
		fail(k, "ftrace cannot compute arithmetic on fetched values (%s)", k.Op)
	case *lang.Unary:
		fail(k, "ftrace cannot compute arithmetic on fetched values (%s)", k.Op)
	case *lang.Var:
		fail(k, "ftrace cannot keep scratch variables ($%s)", k.Name)
	case *lang.MapRef:
		fail(k, "ftrace cannot read maps")
	case *lang.Call:
		fail(k, "ftrace cannot call %s() in a key", k.Name)
	}
}
