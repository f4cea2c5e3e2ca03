package lang

import "fmt"

// Source is one named piece of text: a script file, one expression line, or
// a -e program.
type Source struct {
	Name string // file name, or a label such as "<line 1>" or "-e"
	Text string
}

// Pos is a position in a Source. The zero Pos means "unknown".
type Pos struct {
	Src    *Source
	Offset int // byte offset into Src.Text
	Line   int // 1-based
	Col    int // 1-based, in bytes
}

// IsValid reports whether p points into a source.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String prints p as file:line:col.
func (p Pos) String() string {
	name := "<input>"
	if p.Src != nil && p.Src.Name != "" {
		name = p.Src.Name
	}
	if !p.IsValid() {
		return name
	}
	return fmt.Sprintf("%s:%d:%d", name, p.Line, p.Col)
}

// PosAt returns the position of byte offset off in src.
func PosAt(src *Source, off int) Pos {
	if off > len(src.Text) {
		off = len(src.Text)
	}
	line, col := 1, 1
	for i := 0; i < off; i++ {
		if src.Text[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return Pos{Src: src, Offset: off, Line: line, Col: col}
}

// Span is the extent [Pos, End) of a syntax node.
type Span struct {
	Pos, End Pos
}

// Extent returns s itself, so that every node embedding Span is a Node.
func (s Span) Extent() Span { return s }
