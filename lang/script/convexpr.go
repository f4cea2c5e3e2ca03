package script

import (
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// precedence of the binary operators, as in C: higher binds tighter.
var precedence = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

func (c *converter) expr(e *expr) lang.Expr {
	cond := c.binary(e.Cond)
	if e.Then == nil {
		return cond
	}
	return &lang.Ternary{Span: c.span(e.Pos, e.EndPos), Cond: cond, Then: c.expr(e.Then), Else: c.expr(e.Else)}
}

// binary folds the flat chain "x op y op z ..." into left-associative
// lang.Binary nodes by precedence climbing.
func (c *converter) binary(b *binary) lang.Expr {
	xs := []lang.Expr{c.unary(b.X)}
	ops := make([]string, 0, len(b.Rest))
	for _, r := range b.Rest {
		ops = append(ops, r.Op)
		xs = append(xs, c.unary(r.Y))
	}
	i := 0
	return climb(xs, ops, 1, &i)
}

// climb folds xs[*i:] joined by ops[*i:] while the operators bind at least
// as tightly as min; xs[k] and xs[k+1] are the operands of ops[k].
func climb(xs []lang.Expr, ops []string, min int, i *int) lang.Expr {
	lhs := xs[*i]
	for *i < len(ops) && precedence[ops[*i]] >= min {
		op := ops[*i]
		*i++
		rhs := climb(xs, ops, precedence[op]+1, i)
		lhs = &lang.Binary{Span: lang.Span{Pos: lhs.Extent().Pos, End: rhs.Extent().End}, Op: op, X: lhs, Y: rhs}
	}
	return lhs
}

func (c *converter) unary(u *unary) lang.Expr {
	sp := c.span(u.Pos, u.EndPos)
	switch {
	case u.Op == "++" || u.Op == "--":
		return &lang.IncDec{Span: sp, Op: u.Op, X: c.unary(u.X)}
	case u.Op != "":
		return &lang.Unary{Span: sp, Op: u.Op, X: c.unary(u.X)}
	case u.Cast != nil:
		return &lang.Cast{Span: sp, Type: c.typeName(u.Cast), X: c.unary(u.CastX)}
	}
	return c.postfix(u.Postfix)
}

// postfix applies member, index and ++/-- suffixes left to right.
func (c *converter) postfix(p *postfix) lang.Expr {
	x := c.primary(p.X)
	start := x.Extent().Pos
	if len(p.X.Elems) == 1 {
		// A member or index of a parenthesized expression starts at its
		// "(", where bpftrace's messages point: ((struct foo *)0)->a.
		start = c.span(p.X.Pos, p.X.EndPos).Pos
	}
	for _, op := range p.Ops {
		sp := lang.Span{Pos: start, End: c.at(op.EndPos.Offset)}
		switch {
		case op.Sel != "":
			x = &lang.Member{Span: sp, X: x, Name: op.Field, Arrow: op.Sel == "->"}
		case op.Index != nil:
			x = &lang.Index{Span: sp, X: x, I: c.expr(op.Index)}
		default:
			x = &lang.IncDec{Span: sp, Op: op.IncDec, Post: true, X: x}
		}
	}
	return x
}

func (c *converter) primary(p *primary) lang.Expr {
	sp := c.span(p.Pos, p.EndPos)
	switch {
	case p.Skb != nil:
		return c.skbCast(p.Skb, sp)
	case p.Sizeof != nil:
		if p.Sizeof.Type != nil {
			return &lang.SizeofExpr{Span: sp, Type: c.typeName(p.Sizeof.Type)}
		}
		return &lang.SizeofExpr{Span: sp, X: c.expr(p.Sizeof.X)}
	case p.Has != nil:
		out := &lang.HasField{Span: sp, Field: c.unquote(p.Has.Field, sp)}
		if p.Has.Type != nil {
			out.Type = c.typeName(p.Has.Type)
		} else {
			out.X = c.expr(p.Has.X)
		}
		return out
	case p.Ident != "" && p.Call:
		return &lang.Call{Span: sp, Name: p.Ident, Args: c.exprs(p.Args)}
	case p.Ident != "":
		return &lang.Ident{Span: sp, Name: p.Ident}
	case p.Var != "":
		return &lang.Var{Span: sp, Name: p.Var[1:]}
	case p.Map != "":
		return &lang.MapRef{Span: sp, Name: p.Map[1:], Keys: c.exprs(p.Keys)}
	case p.Int != "":
		return c.intLit(p.Int, sp)
	case p.Str != "":
		return &lang.StrLit{Span: sp, Value: c.unquote(p.Str, sp)}
	case p.Char != "":
		return c.charLit(p.Char, sp)
	case len(p.Elems) == 1:
		return c.expr(p.Elems[0])
	}
	return &lang.Tuple{Span: sp, Elems: c.exprs(p.Elems)}
}

func (c *converter) exprs(es []*expr) []lang.Expr {
	var out []lang.Expr
	for _, e := range es {
		out = append(out, c.expr(e))
	}
	return out
}

// layers maps skb cast tags to lang.SkbCast.Layer.
var layers = map[string]int{"l2": 2, "l3": 3, "l4": 4, "h": -1}

// skbCast converts "@(T) [tag] operand". The operand is a primary, so in
// "@(struct iphdr *)l3 arg0->saddr" the member applies to the cast result.
// "l3(arg0)" reads as the tag and a parenthesized operand.
func (c *converter) skbCast(s *skbCast, sp lang.Span) lang.Expr {
	out := &lang.SkbCast{Span: sp, Type: c.typeName(s.Type)}
	first := s.First
	firstSpan := c.span(first.Pos, first.EndPos)
	layer, isTag := layers[first.Ident]
	switch {
	case s.Operand != nil:
		if !isTag || first.Call {
			c.errorf(firstSpan, "unknown skb layer tag, want l2, l3, l4 or h")
		}
		out.Layer, out.X = layer, c.primary(s.Operand)
	case isTag && first.Call && len(first.Args) == 1:
		out.Layer, out.X = layer, c.expr(first.Args[0])
	case isTag && !first.Call:
		c.errorf(firstSpan, "skb cast needs an operand after the layer tag %s", first.Ident)
	default:
		out.X = c.primary(first)
	}
	return out
}

func (c *converter) typeName(t *typeName) *lang.TypeExpr {
	out := &lang.TypeExpr{Span: c.span(t.Pos, t.EndPos), Tag: t.Tag, Ptr: len(t.Ptr)}
	switch {
	case t.Tag != "":
		out.Name = t.Name
	case len(t.Words) > 0:
		out.Name = strings.Join(t.Words, " ")
	default:
		out.Name = t.Named
	}
	return out
}

func (c *converter) intLit(text string, sp lang.Span) lang.Expr {
	v, err := parseInt(text)
	if err != nil {
		c.errorf(sp, "bad integer %s", text)
	}
	return &lang.IntLit{Span: sp, Value: v, Text: text}
}

// unquote decodes a quoted literal, reporting a bad escape at its place.
func (c *converter) unquote(quoted string, sp lang.Span) string {
	s, at, msg := unquote(quoted[1 : len(quoted)-1])
	if at >= 0 {
		c.errorf(c.spanLen(sp.Pos.Offset+1+at, 2), "%s", msg)
	}
	return s
}

// charLit turns 'c' into its byte value.
func (c *converter) charLit(text string, sp lang.Span) lang.Expr {
	n := len(c.errs)
	s := c.unquote(text, sp)
	if len(s) != 1 {
		if len(c.errs) == n {
			c.errorf(sp, "character literal must hold one byte")
		}
		s = "\x00"
	}
	return &lang.IntLit{Span: sp, Value: uint64(s[0]), Text: text}
}
