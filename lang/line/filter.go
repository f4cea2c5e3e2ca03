package line

import (
	"slices"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// filterDollarNames are the $names a filter may use.
var filterDollarNames = []string{"comm"}

// filter converts f:EXPR.
func (c *converter) filter(f *filter) lang.Expr {
	if f.X == nil {
		c.failf(c.tokSpan(f.Pos, len("f:")), "empty filter")
	}
	return c.or(f.X)
}

// or converts A || B || ..., grouping to the left.
func (c *converter) or(o *orExpr) lang.Expr {
	x := c.and(o.X)
	for _, y := range o.Rest {
		x = &lang.Binary{Span: c.span(o.Pos, y.EndPos), Op: "||", X: x, Y: c.and(y)}
	}
	return x
}

// and converts A && B && ..., grouping to the left.
func (c *converter) and(a *andExpr) lang.Expr {
	x := c.cmp(a.X)
	for _, y := range a.Rest {
		x = &lang.Binary{Span: c.span(a.Pos, y.EndPos), Op: "&&", X: x, Y: c.cmp(y)}
	}
	return x
}

// cmp converts A, or A OP B.
func (c *converter) cmp(e *cmpExpr) lang.Expr {
	x := c.unary(e.X)
	if e.Op == nil {
		return x
	}
	if e.Y == nil {
		c.failf(c.tokSpan(e.Op.Pos, len(e.Op.Text)), "missing value after %s", e.Op.Text)
	}
	return &lang.Binary{Span: c.span(e.Pos, e.EndPos), Op: e.Op.Text, X: x, Y: c.word(e.Y)}
}

// word converts the right side of a comparison.
func (c *converter) word(w *word) lang.Expr {
	sp := c.span(w.Pos, w.EndPos)
	switch {
	case w.Str != "":
		return c.strLit(sp, w.Str)
	case isInt(w.Word):
		return c.intLit(w.Pos, w.Word)
	}
	return &lang.WordLit{Span: sp, Text: w.Word}
}

// unary converts !X or an atom.
func (c *converter) unary(u *unaryExpr) lang.Expr {
	if u.Not != nil {
		return &lang.Unary{Span: c.span(u.Pos, u.EndPos), Op: "!", X: c.unary(u.Not)}
	}
	a := u.X
	sp := c.span(a.Pos, a.EndPos)
	switch {
	case a.Paren != nil:
		return c.or(a.Paren)
	case a.Name != "" && a.Call != nil:
		return c.call(sp, a)
	case a.Name != "":
		return &lang.Ident{Span: sp, Name: a.Name}
	case a.Dollar != "":
		name := a.Dollar[1:]
		if !slices.Contains(filterDollarNames, name) {
			c.fail(unknownDollar(sp, name, filterDollarNames))
		}
		return &lang.Ident{Span: sp, Name: name}
	case a.Int != "":
		return c.intLit(a.Pos, a.Int)
	}
	return c.strLit(sp, a.Str)
}

// call converts a filter function call, NAME("STRING", FIELD...).
// The grammar keeps no positions of the arguments: they are found in the
// line's text, after the parenthesis.
func (c *converter) call(sp lang.Span, a *atom) lang.Expr {
	text := c.src.Text[c.start.Offset:]
	at := a.Call.Pos.Offset + strings.Index(text[a.Call.Pos.Offset:], a.Call.Str)
	args := []lang.Expr{c.strLit(lang.Span{Pos: c.at(at), End: c.at(at + len(a.Call.Str))}, a.Call.Str)}
	at += len(a.Call.Str)
	for _, n := range a.Call.Names {
		i := at + strings.Index(text[at:], n)
		args = append(args, &lang.Ident{Span: lang.Span{Pos: c.at(i), End: c.at(i + len(n))}, Name: n})
		at = i + len(n)
	}
	return &lang.Call{Span: sp, Name: a.Name, Args: args}
}

// strLit converts a double-quoted string.
func (c *converter) strLit(sp lang.Span, quoted string) *lang.StrLit {
	s, err := strconv.Unquote(quoted)
	if err != nil {
		c.failf(sp, "bad string %s", quoted)
	}
	return &lang.StrLit{Span: sp, Value: s}
}

// isInt reports whether s is written as a decimal or 0x hex integer.
func isInt(s string) bool {
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		for _, r := range s[2:] {
			if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
				return false
			}
		}
		return true
	}
	return isDigits(s)
}
