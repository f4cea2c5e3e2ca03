package script

import "strings"

// exprLine is a surftrace expression line found at the top level of a
// script: its text (to the end of the line) and the offset of its first
// byte in the whole file.
type exprLine struct {
	offset int
	text   string
}

// scanner blanks out, before the participle lexer runs, what is not
// bpftrace probe syntax but may stand at the top level of a script:
//
//   - preprocessor lines ("#include <...>", "#define", "#ifndef", the
//     "#!" line), continued by a trailing backslash;
//   - C definitions in the preamble ("struct S { ... };", union, enum);
//   - surftrace expression lines ("p SYMBOL ...", "r ...", "e ...").
//
// Blanking replaces every byte but newlines with a space, so offsets in the
// masked text are offsets in the file and positions stay right. Only text
// at brace depth zero, at the start of a line, is considered; comments,
// strings and character literals are skipped so that their braces do not
// count.
type scanner struct {
	text  string
	out   []byte
	lines []exprLine
	decls []exprLine // C definitions and #define lines
}

// mask returns text with the regions above blanked, the expression lines
// in order, and the C definitions and #define lines in order.
func mask(text string) (string, []exprLine, []exprLine) {
	s := &scanner{text: text, out: []byte(text)}
	s.run()
	return string(s.out), s.lines, s.decls
}

func (s *scanner) run() {
	depth, lineStart := 0, true
	for i := 0; i < len(s.text); {
		c := s.text[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case strings.HasPrefix(s.text[i:], "//"):
			i = s.lineEnd(i)
			continue
		case strings.HasPrefix(s.text[i:], "/*"):
			i = s.commentEnd(i)
			continue
		}
		if depth == 0 && lineStart {
			if end := s.topLevel(i); end > i {
				i = end
				continue
			}
		}
		lineStart = false
		switch c {
		case '"', '\'':
			i = s.quoteEnd(i)
		case '{':
			depth++
			i++
		case '}':
			depth = max(depth-1, 0)
			i++
		default:
			i++
		}
	}
}

// topLevel blanks the construct starting at line start i and returns where
// it ends, or i when there is none.
func (s *scanner) topLevel(i int) int {
	switch word := s.word(i); {
	case s.text[i] == '#':
		end := s.lineEnd(i)
		for end > i && end < len(s.text) && s.text[end-1] == '\\' {
			end = s.lineEnd(end + 1)
		}
		if strings.HasPrefix(s.text[i:], "#define") {
			s.decls = append(s.decls, exprLine{offset: i, text: s.text[i:end]})
		}
		s.blank(i, end)
		return end
	case word == "struct" || word == "union" || word == "enum":
		end := s.definitionEnd(i)
		s.decls = append(s.decls, exprLine{offset: i, text: s.text[i:end]})
		s.blank(i, end)
		return end
	case (word == "p" || word == "r" || word == "e") && s.isExprLine(i+1),
		(word == "P" || word == "R") && s.isUserLine(i+1):
		end := s.lineEnd(i)
		s.lines = append(s.lines, exprLine{offset: i, text: strings.TrimRight(s.text[i:end], " \t\r")})
		s.blank(i, end)
		return end
	}
	return i
}

// isExprLine reports whether blanks and then a symbol character follow i.
func (s *scanner) isExprLine(i int) bool {
	j := i
	for j < len(s.text) && (s.text[j] == ' ' || s.text[j] == '\t') {
		j++
	}
	return j > i && j < len(s.text) && isSymbolChar(s.text[j])
}

// isUserLine reports whether blanks and then a P or R line's target (a
// path or a library name) follow i.
func (s *scanner) isUserLine(i int) bool {
	j := i
	for j < len(s.text) && (s.text[j] == ' ' || s.text[j] == '\t') {
		j++
	}
	return j > i && j < len(s.text) && (s.text[j] == '/' || isSymbolChar(s.text[j]))
}

func isSymbolChar(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// word returns the identifier starting at i, or "".
func (s *scanner) word(i int) string {
	j := i
	for j < len(s.text) && (isSymbolChar(s.text[j]) && s.text[j] != '.') {
		j++
	}
	return s.text[i:j]
}

// definitionEnd finds the end of a C definition starting at i: through the
// brace that closes its body and an optional ";", or through the ";" of a
// declaration without a body.
func (s *scanner) definitionEnd(i int) int {
	depth := 0
	for i < len(s.text) {
		switch c := s.text[i]; {
		case strings.HasPrefix(s.text[i:], "//"):
			i = s.lineEnd(i)
			continue
		case strings.HasPrefix(s.text[i:], "/*"):
			i = s.commentEnd(i)
			continue
		case c == '"' || c == '\'':
			i = s.quoteEnd(i)
			continue
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth <= 0 {
				return s.optionalSemi(i + 1)
			}
		case c == ';' && depth == 0:
			return i + 1
		}
		i++
	}
	return i
}

// optionalSemi returns the offset after a ";" that follows i past blanks, or i.
func (s *scanner) optionalSemi(i int) int {
	j := i
	for j < len(s.text) && strings.IndexByte(" \t\r\n", s.text[j]) >= 0 {
		j++
	}
	if j < len(s.text) && s.text[j] == ';' {
		return j + 1
	}
	return i
}

// lineEnd returns the offset of the newline ending i's line, or len(text).
func (s *scanner) lineEnd(i int) int {
	if n := strings.IndexByte(s.text[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(s.text)
}

// commentEnd returns the offset after the "*/" closing the comment at i.
func (s *scanner) commentEnd(i int) int {
	if n := strings.Index(s.text[i+2:], "*/"); n >= 0 {
		return i + 2 + n + 2
	}
	return len(s.text)
}

// quoteEnd returns the offset after the closing quote of the string or
// character literal at i; an unterminated one ends at the newline.
func (s *scanner) quoteEnd(i int) int {
	q := s.text[i]
	for j := i + 1; j < len(s.text); j++ {
		switch s.text[j] {
		case '\\':
			j++
		case q:
			return j + 1
		case '\n':
			return j
		}
	}
	return len(s.text)
}

// blank replaces text[i:j] with spaces, keeping newlines.
func (s *scanner) blank(i, j int) {
	for k := i; k < j; k++ {
		if s.out[k] != '\n' {
			s.out[k] = ' '
		}
	}
}
