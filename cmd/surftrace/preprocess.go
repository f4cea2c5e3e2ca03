package main

import (
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// The part of the C preprocessor that bpftrace programs lean on, applied
// before parsing: object-like #define in the program, and #include of C
// headers (also bpftrace's --include FILE), whose object-like integer
// #defines become usable in the program (EPERM after #include <errno.h>).
// Everything else a header holds (types, functions, conditionals) is not
// read: a name that a header defines twice with different values (in two
// branches of an #if) is left undefined rather than guessed. The
// directive lines stay, and the parser skips them, so positions hold.

// includeDirs are searched after -I's directories, as by a C compiler.
func includeDirs(extra []string) []string {
	arch := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[goruntime.GOARCH]
	dirs := append([]string{}, extra...)
	dirs = append(dirs, "/usr/local/include")
	if arch != "" {
		dirs = append(dirs, "/usr/include/"+arch)
	}
	return append(dirs, "/usr/include")
}

// macros are the object-like macros in effect: name → replacement text
// ("" for a name defined with conflicting values).
type macros struct {
	defs map[string]string
	dirs []string
	seen map[string]bool // headers already read
}

// preprocess expands the program's macros in src's text and returns it.
// dirs are -I's directories, includes --include's files.
func preprocess(src *lang.Source, dirs, includes []string) (string, error) {
	if !strings.Contains(src.Text, "#") && len(includes) == 0 {
		return src.Text, nil
	}
	m := &macros{defs: map[string]string{}, dirs: includeDirs(dirs), seen: map[string]bool{}}
	for _, inc := range includes {
		if !m.include(inc, "", false) {
			return "", fmt.Errorf("--include %s: file not found (searched %s)", inc, strings.Join(m.dirs, ", "))
		}
	}
	lines := strings.SplitAfter(src.Text, "\n")
	off := 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if d, ok := strings.CutPrefix(t, "#"); ok {
			if err := m.programDirective(src, off+strings.Index(l, "#"), strings.TrimSpace(d)); err != nil {
				return "", err
			}
		}
		off += len(l)
	}
	if len(m.defs) == 0 {
		return src.Text, nil
	}
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l)
			continue
		}
		b.WriteString(m.expand(l, 0))
	}
	return b.String(), nil
}

// programDirective applies one directive of the program: #include and
// #define; the others are left to the parser.
func (m *macros) programDirective(src *lang.Source, off int, d string) error {
	span := lang.Span{Pos: lang.PosAt(src, off), End: lang.PosAt(src, off+len(d)+1)}
	switch word, rest := cut(d); word {
	case "include":
		name, quoted, ok := includeName(rest)
		if !ok {
			return lang.Errorf(span, "#include wants <FILE> or \"FILE\"")
		}
		if !m.include(name, ".", quoted) {
			return lang.Errorf(span, "'%s' file not found (searched %s)", name, strings.Join(m.dirs, ", "))
		}
	case "define":
		name, value := cut(rest)
		switch {
		case !isIdent(name) && strings.Contains(name, "("):
			return lang.Errorf(span, "function-like macros are not supported: #define %s", name)
		case !isIdent(name):
			return lang.Errorf(span, "#define wants a name, not %q", name)
		}
		m.defs[name] = m.expand(value, 0)
	case "undef":
		delete(m.defs, strings.TrimSpace(rest))
	}
	return nil
}

// include reads header name's integer macros, searching dir first for a
// quoted name; it reports whether the header was found.
func (m *macros) include(name, dir string, quoted bool) bool {
	search := m.dirs
	if quoted && dir != "" {
		search = append([]string{dir}, search...)
	}
	if filepath.IsAbs(name) {
		search = []string{""}
	}
	for _, d := range search {
		path := filepath.Join(d, name)
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if !m.seen[path] {
			m.seen[path] = true
			m.header(string(data), filepath.Dir(path))
		}
		return true
	}
	return false
}

// header reads a header's #include and #define lines.
func (m *macros) header(text, dir string) {
	text = strings.ReplaceAll(text, "\\\n", " ")
	for _, l := range strings.Split(text, "\n") {
		d, ok := strings.CutPrefix(strings.TrimSpace(l), "#")
		if !ok {
			continue
		}
		switch word, rest := cut(strings.TrimSpace(d)); word {
		case "include":
			if name, quoted, ok := includeName(rest); ok {
				m.include(name, dir, quoted) // a missing header may sit in an #if for another system
			}
		case "define":
			name, value := cut(rest)
			if !isIdent(name) {
				continue // function-like
			}
			value = m.expand(stripComments(value), 0)
			if !isInteger(value) {
				continue
			}
			if old, ok := m.defs[name]; ok && old != value {
				value = ""
			}
			m.defs[name] = value
		}
	}
}

// expand replaces the macros in text (outside string literals and
// comments), recursively up to a depth that stops self-reference.
func (m *macros) expand(text string, depth int) string {
	if depth > 16 || len(m.defs) == 0 {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(text) && text[j] != '"' && text[j] != '\n' {
				if text[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(text))
			b.WriteString(text[i:j])
			i = j
		case strings.HasPrefix(text[i:], "//"):
			b.WriteString(text[i:])
			i = len(text)
		case isIdentStart(c):
			j := i + 1
			for j < len(text) && (isIdentStart(text[j]) || text[j] >= '0' && text[j] <= '9') {
				j++
			}
			word := text[i:j]
			if v, ok := m.defs[word]; ok && v != "" && (i == 0 || text[i-1] != '$') {
				b.WriteString(m.expand(v, depth+1))
			} else {
				b.WriteString(word)
			}
			i = j
		case c >= '0' && c <= '9': // a number's suffix is no name
			j := i + 1
			for j < len(text) && (isIdentStart(text[j]) || text[j] >= '0' && text[j] <= '9') {
				j++
			}
			b.WriteString(text[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// cut splits s at its first run of blanks.
func cut(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// includeName reads <FILE> or "FILE".
func includeName(s string) (name string, quoted, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) < 3 {
		return "", false, false
	}
	switch {
	case s[0] == '<' && strings.IndexByte(s, '>') > 1:
		return s[1:strings.IndexByte(s, '>')], false, true
	case s[0] == '"' && strings.IndexByte(s[1:], '"') > 0:
		return s[1 : 1+strings.IndexByte(s[1:], '"')], true, true
	}
	return "", false, false
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isIdent reports whether s is a C identifier.
func isIdent(s string) bool {
	for i := range len(s) {
		if !isIdentStart(s[i]) && (i == 0 || s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return s != ""
}

// isInteger reports whether s is an integer constant as headers write
// them: 12, 0x1f, 017, -1, (12), 1UL.
func isInteger(s string) bool {
	s = strings.TrimSpace(s)
	for len(s) > 1 && s[0] == '(' && s[len(s)-1] == ')' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimRight(s, "uUlL")
	if s == "" {
		return false
	}
	digits := "0123456789"
	if t, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		s, digits = t, "0123456789abcdefABCDEF"
	}
	return s != "" && strings.Trim(s, digits) == ""
}

// stripComments drops /* ... */ and // comments from a directive's value.
func stripComments(s string) string {
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "*/")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + " " + s[i+j+2:]
	}
	if i := strings.Index(s, "//"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
