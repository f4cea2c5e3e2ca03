package lang

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a positioned diagnostic. Its Error method renders the position,
// the message, the source line with a caret under the span, and the hint.
type Error struct {
	Span
	Msg  string // short, lowercase, no trailing period
	Hint string // e.g. "did you mean protocol?"; may be empty
}

// Errorf returns an *Error at span s.
func Errorf(s Span, format string, args ...any) *Error {
	return &Error{Span: s, Msg: fmt.Sprintf(format, args...)}
}

// WithHint sets the hint and returns e.
func (e *Error) WithHint(h string) *Error {
	e.Hint = h
	return e
}

// Error renders e as "file:line:col: msg", then the snippet and the hint.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Pos, e.Msg)
	if snip := e.Snippet(); snip != "" {
		b.WriteString("\n")
		b.WriteString(snip)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "\n    (%s)", e.Hint)
	}
	return b.String()
}

// Snippet returns the source line of e.Pos and a caret line marking the span
// (^ at the start, ~ across the rest of it on that line), or "" when the
// position is unknown.
func (e *Error) Snippet() string {
	p := e.Pos
	if p.Src == nil || !p.IsValid() {
		return ""
	}
	text := p.Src.Text
	start := p.Offset - (p.Col - 1)
	if start < 0 || start > len(text) {
		return ""
	}
	end := strings.IndexByte(text[start:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += start
	}
	line := text[start:end]
	width := 1
	if e.End.IsValid() && e.End.Offset > p.Offset {
		width = min(e.End.Offset, end) - p.Offset
		width = max(width, 1)
	}
	pad := make([]byte, 0, p.Col-1)
	for _, c := range []byte(line[:min(p.Col-1, len(line))]) {
		if c == '\t' {
			pad = append(pad, '\t')
		} else {
			pad = append(pad, ' ')
		}
	}
	return "    " + line + "\n    " + string(pad) + "^" + strings.Repeat("~", width-1)
}

// ErrorList collects several diagnostics; it is itself an error.
type ErrorList []*Error

// Error joins the rendered errors with newlines.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Err returns nil for an empty list and the list otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// AsError finds the first *Error in err's chain (or the first of an
// ErrorList), for callers that want the position.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var l ErrorList
	if errors.As(err, &l) && len(l) > 0 {
		return l[0], true
	}
	return nil, false
}
