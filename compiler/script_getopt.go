package compiler

import "github.com/surftrace/surftrace/lang"

// getopt is a named parameter no command line bound (lang/getopt binds
// them before compiling, as the CLI does): its default, or false.
func (g *sgen) getopt(e *lang.Call) *sval {
	g.literal(e.Args[0], "getopt's name")
	if len(e.Args) == 1 {
		return intConst(0)
	}
	switch d := e.Args[1].(type) {
	case *lang.StrLit:
		return strLit(d.Value)
	case *lang.IntLit, *lang.Unary:
		return g.expr(d)
	case *lang.Ident:
		if d.Name == "true" || d.Name == "false" {
			return intConst(map[string]int64{"true": 1}[d.Name])
		}
	}
	fail(e.Args[1], "getopt's default must be an integer, string or boolean literal")
	return nil
}
