package script

import (
	"reflect"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// macro is a statement macro, bpftrace's "macro NAME($a, $b) { ... }":
// a call NAME(x, y); standing as a statement is replaced by the body's
// statements, in which every $a is the argument expression x (converted
// afresh at each use). The body's other variables are the calling
// probe's own.
type macro struct {
	def    *macroDef
	params []string // without the '$'
}

// maxMacroDepth bounds nested expansion, so that a macro calling itself
// is an error rather than a hang.
const maxMacroDepth = 16

// defineMacros collects the macro definitions among items; a name
// defined twice is an error.
func defineMacros(c *converter, items []*item) map[string]*macro {
	macros := map[string]*macro{}
	for _, it := range items {
		d := it.Macro
		if d == nil {
			continue
		}
		if _, dup := macros[d.Name]; dup {
			c.errorf(c.span(d.Pos, d.EndPos), "macro %s is defined twice", d.Name)
			continue
		}
		m := &macro{def: d}
		for _, p := range d.Params {
			m.params = append(m.params, p[1:])
		}
		macros[d.Name] = m
	}
	return macros
}

// macroCall returns the macro s calls and the call, when s is a call of
// a macro standing alone as a statement.
func (c *converter) macroCall(s *stmt) (*macro, *primary) {
	if s.Expr == nil || s.AssignOp != "" || s.Expr.Then != nil || len(s.Expr.Cond.Rest) > 0 {
		return nil, nil
	}
	u := s.Expr.Cond.X
	if u.Postfix == nil || len(u.Postfix.Ops) > 0 {
		return nil, nil
	}
	p := u.Postfix.X
	m := c.macros[p.Ident]
	if m == nil || !p.Call {
		return nil, nil
	}
	return m, p
}

// expand returns the statements of m's body with the call's arguments
// in place of its parameters.
func (c *converter) expand(m *macro, call *primary) []lang.Stmt {
	sp := c.span(call.Pos, call.EndPos)
	if len(call.Args) != len(m.params) {
		c.errorf(sp, "macro %s takes %d arguments, not %d", m.def.Name, len(m.params), len(call.Args))
		return nil
	}
	if len(c.expanding) == maxMacroDepth {
		c.errorf(sp, "macro %s: expansion nested deeper than %d (%s)", m.def.Name, maxMacroDepth, strings.Join(c.expanding, " > "))
		return nil
	}
	c.expanding = append(c.expanding, m.def.Name)
	body := c.stmts(m.def.Body)
	c.expanding = c.expanding[:len(c.expanding)-1]
	args := map[string]*expr{}
	for i, name := range m.params {
		args[name] = call.Args[i]
	}
	c.substitute(reflect.ValueOf(body), args)
	return body
}

var exprType = reflect.TypeOf((*lang.Expr)(nil)).Elem()

// substitute replaces, in v, every variable named in args by its
// argument, converted anew for each use.
func (c *converter) substitute(v reflect.Value, args map[string]*expr) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			c.substitute(v.Elem(), args)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.substitute(v.Field(i), args)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			c.substitute(v.Index(i), args)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if x, ok := v.Interface().(*lang.Var); ok && v.Type() == exprType && v.CanSet() {
			if arg := args[x.Name]; arg != nil {
				v.Set(reflect.ValueOf(c.expr(arg)))
			}
			return
		}
		c.substitute(v.Elem(), args)
	}
}
