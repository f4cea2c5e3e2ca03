package script

import (
	"sort"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/surftrace/surftrace/lang"
)

// converter turns the parse tree into the lang AST, collecting the errors
// that only show once a construct is complete (bad attach points, missing
// semicolons, assignments to non-variables, bad literals).
type converter struct {
	src        *lang.Source
	lineStarts []int
	errs       lang.ErrorList
	macros     map[string]*macro
	expanding  []string // the macros being expanded, innermost last
}

func newConverter(src *lang.Source) *converter {
	c := &converter{src: src, lineStarts: []int{0}}
	for i := 0; i < len(src.Text); i++ {
		if src.Text[i] == '\n' {
			c.lineStarts = append(c.lineStarts, i+1)
		}
	}
	return c
}

// at returns the position of byte offset off, as lang.PosAt would, in
// logarithmic time.
func (c *converter) at(off int) lang.Pos {
	off = min(max(off, 0), len(c.src.Text))
	line := sort.Search(len(c.lineStarts), func(i int) bool { return c.lineStarts[i] > off })
	return lang.Pos{Src: c.src, Offset: off, Line: line, Col: off - c.lineStarts[line-1] + 1}
}

// span returns the extent between two participle positions.
func (c *converter) span(pos, end lexer.Position) lang.Span {
	return lang.Span{Pos: c.at(pos.Offset), End: c.at(end.Offset)}
}

// spanLen returns the extent of n bytes at off.
func (c *converter) spanLen(off, n int) lang.Span {
	return lang.Span{Pos: c.at(off), End: c.at(off + n)}
}

// errorf records an error and returns it, for adding a hint.
func (c *converter) errorf(s lang.Span, format string, args ...any) *lang.Error {
	e := lang.Errorf(s, format, args...)
	c.errs = append(c.errs, e)
	return e
}

func (c *converter) probe(p *probe) *lang.Probe {
	out := &lang.Probe{Span: c.span(p.Pos, p.EndPos), Label: p.Label}
	for _, a := range p.Attach {
		out.Attach = append(out.Attach, c.attachPoint(a))
	}
	if p.Pred != nil {
		out.Pred = c.expr(p.Pred)
	}
	out.Body = c.stmts(p.Body)
	return out
}

// stmts converts a block's statements. bpftrace separates simple
// statements with ";"; if, while and unroll need none.
func (c *converter) stmts(items []*stmtItem) []lang.Stmt {
	var out []lang.Stmt
	for i, it := range items {
		if m, call := c.macroCall(it.Stmt); m != nil {
			out = append(out, c.expand(m, call)...)
		} else {
			out = append(out, c.stmt(it.Stmt))
		}
		if !it.Semi && i+1 < len(items) && it.Stmt.If == nil && it.Stmt.While == nil && it.Stmt.Unroll == nil {
			end := c.at(it.Stmt.EndPos.Offset)
			c.errorf(lang.Span{Pos: end, End: end}, `missing ";" after statement`)
		}
	}
	return out
}

func (c *converter) stmt(s *stmt) lang.Stmt {
	sp := c.span(s.Pos, s.EndPos)
	switch {
	case s.If != nil:
		return c.ifStmt(s.If)
	case s.While != nil:
		return &lang.WhileStmt{Span: sp, Cond: c.expr(s.While.Cond), Body: c.stmts(s.While.Body.Stmts)}
	case s.Unroll != nil:
		return &lang.UnrollStmt{Span: sp, Count: c.expr(s.Unroll.Cond), Body: c.stmts(s.Unroll.Body.Stmts)}
	case s.Branch != "":
		return &lang.BranchStmt{Span: sp, Tok: s.Branch}
	case s.AssignOp != "":
		target := c.expr(s.Expr)
		switch t := target.(type) {
		case *lang.MapRef:
		case *lang.Var:
			if isPositional(t.Name) {
				c.errorf(t.Span, "cannot assign to positional parameter $%s", t.Name)
			}
		default:
			c.errorf(target.Extent(), "cannot assign to this expression, want $variable or @map")
		}
		return &lang.AssignStmt{Span: sp, Target: target, Op: s.AssignOp, Value: c.expr(s.Value)}
	}
	return &lang.ExprStmt{Span: sp, X: c.expr(s.Expr)}
}

func (c *converter) ifStmt(s *ifStmt) *lang.IfStmt {
	out := &lang.IfStmt{Span: c.span(s.Pos, s.EndPos), Comptime: s.Comp, Cond: c.expr(s.Cond), Then: c.stmts(s.Then.Stmts)}
	switch {
	case s.Else == nil:
	case s.Else.If != nil:
		out.Else = []lang.Stmt{c.ifStmt(s.Else.If)}
	default:
		out.Else = c.stmts(s.Else.Block.Stmts)
	}
	return out
}

// isPositional reports whether a variable name is "#" or digits ($#, $1).
func isPositional(name string) bool {
	if name == "#" {
		return true
	}
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return false
		}
	}
	return name != ""
}
