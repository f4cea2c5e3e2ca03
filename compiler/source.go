package compiler

import (
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// source returns the source text of n, for listing comments.
func source(n lang.Node) string {
	s := n.Extent()
	if s.Pos.Src == nil || !s.End.IsValid() || s.End.Offset > len(s.Pos.Src.Text) || s.End.Offset < s.Pos.Offset {
		return ""
	}
	return strings.Join(strings.Fields(s.Pos.Src.Text[s.Pos.Offset:s.End.Offset]), " ")
}
