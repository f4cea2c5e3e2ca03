package script

import (
	"sort"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/surftrace/surftrace/lang"
)

// LineParser parses one surftrace expression line found in a script. src
// is the whole file, text the line (without its newline) and offset the
// position of text's first byte in src.Text, so positions in the probes and
// errors it returns can point into the file. index counts the expression
// lines of the file from 0 and names the probe (p0, r1, e2).
type LineParser func(src *lang.Source, text string, offset, index int) ([]*lang.Probe, error)

// Options configures ParseWith.
type Options struct {
	// ParseLine parses expression lines; nil means lang/line.
	ParseLine LineParser
}

// parser parses a script; it is built on first use (1-3 ms), which a
// program of expression lines never makes.
var parser = sync.OnceValue(func() *participle.Parser[script] {
	return participle.MustBuild[script](
		participle.Lexer(scriptLexer),
		participle.Elide("Space", "Comment"),
		participle.UseLookahead(16),
	)
})

// Parse parses a .st script into a program, with lang/line parsing its
// expression lines; see ParseWith.
func Parse(src *lang.Source) (*lang.Program, error) {
	return ParseWith(src, Options{})
}

// ParseWith parses a .st script: bpftrace probes and, one per line,
// surftrace expression lines, which opts.ParseLine parses. The probes of
// both kinds are returned in source order. Errors are *lang.Error or
// lang.ErrorList; a bug in the parser is reported as an "internal error"
// rather than a panic.
func ParseWith(src *lang.Source, opts Options) (prog *lang.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, lang.Errorf(lang.Span{Pos: lang.PosAt(src, 0)}, "internal error: %v", r)
		}
	}()
	masked, lines, decls := mask(src.Text)
	tree, perr := parser().ParseString(src.Name, masked)
	if perr != nil {
		return nil, syntaxError(src, perr)
	}
	c := newConverter(src)
	prog = &lang.Program{Span: lang.Span{Pos: c.at(0), End: c.at(len(src.Text))}, Src: src}
	c.macros = defineMacros(c, tree.Items)
	for _, it := range tree.Items {
		if it.Probe != nil {
			prog.Probes = append(prog.Probes, c.probe(it.Probe))
		}
	}
	for _, d := range decls {
		prog.CDecls = append(prog.CDecls, &lang.CDecl{Span: c.spanLen(d.offset, len(d.text)), Text: d.text})
	}
	for i, l := range lines {
		prog.Probes = append(prog.Probes, c.exprLine(opts.ParseLine, l, i)...)
	}
	sort.SliceStable(prog.Probes, func(i, j int) bool {
		return prog.Probes[i].Pos.Offset < prog.Probes[j].Pos.Offset
	})
	if len(prog.Probes) == 0 && len(c.errs) == 0 {
		c.errorf(prog.Span, "no probes in script")
	}
	if err := c.errs.Err(); err != nil {
		return nil, err
	}
	return prog, nil
}

// exprLine hands one expression line to the line parser.
func (c *converter) exprLine(parse LineParser, l exprLine, index int) []*lang.Probe {
	if parse == nil {
		parse = parseLine
	}
	probes, err := parse(c.src, l.text, l.offset, index)
	if err == nil {
		return probes
	}
	if list, ok := err.(lang.ErrorList); ok {
		c.errs = append(c.errs, list...)
	} else if e, ok := lang.AsError(err); ok {
		c.errs = append(c.errs, e)
	} else {
		c.errorf(c.spanLen(l.offset, len(l.text)), "%v", err)
	}
	return nil
}
