package pcapfilter

import (
	"fmt"
	"strings"
)

// Dump renders a filter as an s-expression, for golden tests and for
// reading what the implicit qualifiers filled in:
// (and (prim tcp) (prim dst port 80)).
func Dump(x any) string {
	switch x := x.(type) {
	case *And:
		return "(and " + Dump(x.X) + " " + Dump(x.Y) + ")"
	case *Or:
		return "(or " + Dump(x.X) + " " + Dump(x.Y) + ")"
	case *Not:
		return "(not " + Dump(x.X) + ")"
	case *Prim:
		var f []string
		for _, s := range []string{x.Proto, x.Dir, x.Kind} {
			if s != "" {
				f = append(f, s)
			}
		}
		switch x.Kind {
		case "host", "net":
			f = append(f, x.Net.String())
		case "port", "proto", "less", "greater":
			f = append(f, fmt.Sprint(x.Lo))
		case "portrange":
			f = append(f, fmt.Sprintf("%d-%d", x.Lo, x.Hi))
		case "vlan":
			if x.Lo >= 0 {
				f = append(f, fmt.Sprint(x.Lo))
			}
		}
		return "(prim " + strings.Join(f, " ") + ")"
	case *Rel:
		return "(" + x.Op + " " + Dump(x.X) + " " + Dump(x.Y) + ")"
	case *Num:
		return fmt.Sprint(x.V)
	case *Len:
		return "len"
	case *Load:
		return fmt.Sprintf("%s[%s:%d]", x.Proto, Dump(x.Off), x.Size)
	case *Bin:
		return "(" + x.Op + " " + Dump(x.X) + " " + Dump(x.Y) + ")"
	case *Neg:
		return "(- " + Dump(x.X) + ")"
	}
	return fmt.Sprintf("?%T", x)
}
