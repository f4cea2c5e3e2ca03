package pcapfilter

import (
	"strings"
)

// tok is one token: a word (names, numbers, addresses, port ranges), or
// an operator or bracket; kind "" is the end of input.
type tok struct {
	kind string // "word", an operator such as "&&" or "(", or "" at the end
	text string
	off  int // byte offset in the filter text
	end  int
}

// lex splits the filter into tokens. A word runs over letters, digits and
// _ . : \; '-' joins two word characters (tcp-syn, 1024-2048) and '/'
// follows an address (192.0.2.0/24), so arithmetic minus and division
// want spaces around them after a word.
func lex(s string) ([]tok, *tok) {
	var out []tok
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case wordChar(c):
			j := i
			for j < len(s) {
				switch {
				case wordChar(s[j]):
					j++
					continue
				case s[j] == '-' && j > i && j+1 < len(s) && wordChar(s[j+1]) && wordChar(s[j-1]):
					j++
					continue
				case s[j] == '/' && strings.ContainsAny(s[i:j], ".:") && j+1 < len(s) && isDigit(s[j+1]):
					j++
					continue
				}
				break
			}
			out = append(out, tok{kind: "word", text: s[i:j], off: i, end: j})
			i = j
		default:
			op := ""
			for _, o := range []string{"&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "(", ")", "[", "]", "&", "|", "^", "+", "-", "*", "/", "%", "=", "<", ">", "!", ":"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, &tok{kind: "bad", text: s[i : i+1], off: i, end: i + 1}
			}
			out = append(out, tok{kind: op, text: op, off: i, end: i + len(op)})
			i += len(op)
		}
	}
	return append(out, tok{off: len(s), end: len(s)}), nil
}

func wordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '.' || c == ':' || c == '\\'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
