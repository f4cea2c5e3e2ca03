package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/lang/script"
)

// parseSource parses what c says to trace: a -e program, one .st file, or
// expression lines, each its own source named "<line N>".
func parseSource(c *config) (*lang.Program, error) {
	if c.program != "" {
		return script.Parse(&lang.Source{Name: "-e", Text: c.program})
	}
	if len(c.args) == 1 && strings.HasSuffix(c.args[0], ".st") {
		text, err := os.ReadFile(c.args[0])
		if err != nil {
			return nil, err
		}
		return script.Parse(&lang.Source{Name: c.args[0], Text: string(text)})
	}
	var prog *lang.Program
	for i, arg := range c.args {
		src := &lang.Source{Name: fmt.Sprintf("<line %d>", i+1), Text: arg}
		p, err := line.Parse(src, i)
		if err != nil {
			return nil, err
		}
		if prog == nil {
			prog = p
			continue
		}
		prog.Probes = append(prog.Probes, p.Probes...)
		prog.End = p.End
	}
	return prog, nil
}
