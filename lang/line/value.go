package line

import (
	"slices"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// dollarNames are the $names a value may use.
var dollarNames = []string{"retval", "comm", "stack"}

// operand converts a primary and its ->m, .m and [i] chain.
func (c *converter) operand(o *operand) lang.Expr {
	x := c.primary(o.X)
	for _, p := range o.Chain {
		sp := c.span(o.Pos, p.EndPos)
		if p.Index != nil {
			x = &lang.Index{Span: sp, X: x, I: c.intLit(p.Index.Pos, p.Index.Text)}
			continue
		}
		x = &lang.Member{Span: sp, X: x, Name: p.Name, Arrow: p.Op == "->"}
	}
	return x
}

// primary converts the start of a value.
func (c *converter) primary(p *primary) lang.Expr {
	sp := c.span(p.Pos, p.EndPos)
	switch {
	case p.Arg != "":
		return c.percent(sp, p.Arg[1:])
	case p.Dollar != "":
		name := p.Dollar[1:]
		if !slices.Contains(dollarNames, name) {
			c.fail(unknownDollar(sp, name, dollarNames))
		}
		return &lang.Ident{Span: sp, Name: name}
	case p.Sym != "":
		return c.symRef(sp, p.Sym[1:])
	case p.Skb != nil:
		return c.skbCast(sp, p.Skb)
	case p.Cast != nil:
		return &lang.Cast{Span: sp, Type: c.typeName(p.Cast.Type), X: c.primary(p.Cast.X)}
	}
	return &lang.Ident{Span: sp, Name: p.Ident}
}

// percent converts %N (an argument) or %name (a register).
func (c *converter) percent(sp lang.Span, name string) lang.Expr {
	switch {
	case name == "":
		c.failf(sp, "missing argument number or register after %%")
	case isDigits(name):
		n, err := strconv.Atoi(name)
		if err != nil {
			c.failf(sp, "argument %%%s out of range", name)
		}
		return &lang.ArgRef{Span: sp, N: n}
	case name[0] >= '0' && name[0] <= '9':
		c.failf(sp, "bad argument %%%s, want %%N or a register such as %%di", name)
	}
	return &lang.RegRef{Span: sp, Name: name}
}

// symRef converts @symbol or @0xADDR.
func (c *converter) symRef(sp lang.Span, name string) lang.Expr {
	switch {
	case name == "":
		c.failf(sp, "missing symbol after @")
	case len(name) > 2 && (name[:2] == "0x" || name[:2] == "0X"):
		addr, err := parseUint(name)
		if err != nil {
			c.failf(sp, "bad address @%s, want @0x and hex digits", name)
		}
		return &lang.SymRef{Span: sp, Addr: addr}
	case name[0] >= '0' && name[0] <= '9':
		c.failf(sp, "bad address @%s, want @0x and hex digits", name)
	}
	return &lang.SymRef{Span: sp, Name: name}
}

// layers maps skb cast tags to lang.SkbCast layers.
var layers = map[string]int{"": 0, "l2": 2, "l3": 3, "l4": 4, "h": -1}

// skbCast converts @(struct T *)TAG X.
func (c *converter) skbCast(sp lang.Span, s *skbCast) lang.Expr {
	tag := s.Close.Text[1:]
	layer, ok := layers[tag]
	if !ok {
		tagPos := s.Close.Pos
		tagPos.Offset++
		c.fail(lang.Errorf(c.tokSpan(tagPos, len(tag)), "bad layer tag %s, want l2, l3, l4 or h", tag).
			WithHint("l2, l3 or l4 says where skb->data points; h reads from skb->head"))
	}
	return &lang.SkbCast{Span: sp, Type: c.typeName(s.Type), Layer: layer, X: c.primary(s.X)}
}

// typeName converts a C type.
func (c *converter) typeName(t *typeName) *lang.TypeExpr {
	te := &lang.TypeExpr{Span: c.span(t.Pos, t.EndPos), Ptr: len(t.Stars)}
	words := t.Words
	switch words[0] {
	case "struct", "union", "enum":
		te.Tag, words = words[0], words[1:]
		if len(words) == 0 {
			c.failf(te.Span, "missing %s name", te.Tag)
		}
	}
	te.Name = strings.Join(words, " ")
	return te
}

// unknownDollar reports a $name that is not one of valid.
func unknownDollar(sp lang.Span, name string, valid []string) *lang.Error {
	dollars := make([]string, len(valid))
	for i, v := range valid {
		dollars[i] = "$" + v
	}
	want := dollars[0]
	if n := len(dollars); n > 1 {
		want = strings.Join(dollars[:n-1], ", ") + " or " + dollars[n-1]
	}
	if name == "" {
		return lang.Errorf(sp, "missing name after $, want %s", want)
	}
	return lang.Errorf(sp, "unknown $%s, want %s", name, want).WithHint(lang.DidYouMean("$"+name, dollars))
}

// isDigits reports whether s is one or more decimal digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
