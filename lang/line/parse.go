package line

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/surftrace/surftrace/lang"
)

// Parse parses the expression lines in src.Text, one probe per line; blank
// lines and lines starting with '#' are skipped, as in surftrace's -f FILE.
// Probes are named by their kind letter and a running index that starts at
// firstIndex: "p0", "r1", "e2".
//
// On failure the error is a *lang.Error, or a lang.ErrorList holding the
// first error of each bad line when several lines are bad.
func Parse(src *lang.Source, firstIndex int) (prog *lang.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog = nil
			err = lang.Errorf(lang.Span{Pos: lang.PosAt(src, 0)}, "internal error: %v", r)
		}
	}()
	prog = &lang.Program{
		Span: lang.Span{Pos: lang.PosAt(src, 0), End: lang.PosAt(src, len(src.Text))},
		Src:  src,
	}
	var errs lang.ErrorList
	index := firstIndex
	for start, lineNo := 0, 1; start <= len(src.Text); lineNo++ {
		end := strings.IndexByte(src.Text[start:], '\n')
		if end < 0 {
			end = len(src.Text)
		} else {
			end += start
		}
		text := src.Text[start:end]
		if t := strings.TrimSpace(text); t != "" && !strings.HasPrefix(t, "#") {
			c := &converter{src: src, start: lang.Pos{Src: src, Offset: start, Line: lineNo, Col: 1}}
			probe, err := c.line(text, index)
			if err != nil {
				errs = append(errs, err)
			} else {
				prog.Probes = append(prog.Probes, probe)
			}
			index++
		}
		start = end + 1
	}
	switch len(errs) {
	case 0:
		return prog, nil
	case 1:
		return nil, errs[0]
	}
	return nil, errs
}

// converter turns the parse tree of one line into lang nodes. Its methods
// report the first mistake by panicking with a bailout, which line
// recovers; any other panic is a bug and reaches Parse.
type converter struct {
	src   *lang.Source
	start lang.Pos // of the line in src
}

// bailout carries a conversion error up to converter.line.
type bailout struct{ err *lang.Error }

// line parses and converts one line.
func (c *converter) line(text string, index int) (probe *lang.Probe, err *lang.Error) {
	tree, perr := parseLine(text)
	if perr != nil {
		if tree != nil && tree.Kind != "" {
			if e := c.checkKind(tree); e != nil {
				return nil, e
			}
		}
		return nil, c.syntaxError(perr, text, tree)
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			probe, err = nil, b.err
		}
	}()
	return c.probe(tree, index), nil
}

// failf stops the conversion with an error at span s.
func (c *converter) failf(s lang.Span, format string, args ...any) {
	panic(bailout{lang.Errorf(s, format, args...)})
}

// fail stops the conversion with e.
func (c *converter) fail(e *lang.Error) {
	panic(bailout{e})
}

// at is the source position of byte off of the line: what lang.PosAt
// gives, without counting the lines before again.
func (c *converter) at(off int) lang.Pos {
	p := c.start
	p.Offset += off
	p.Col += off
	return p
}

// pos is the source position of p, a position in the line.
func (c *converter) pos(p lexer.Position) lang.Pos {
	return c.at(p.Offset)
}

// span is the extent [p, end) of a parse tree node.
func (c *converter) span(p, end lexer.Position) lang.Span {
	return lang.Span{Pos: c.pos(p), End: c.pos(end)}
}

// tokSpan is the extent of n bytes from p, for a token or part of one.
func (c *converter) tokSpan(p lexer.Position, n int) lang.Span {
	return lang.Span{Pos: c.pos(p), End: c.at(p.Offset + n)}
}
