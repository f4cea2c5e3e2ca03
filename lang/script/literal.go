package script

import (
	"errors"
	"strconv"
	"strings"
)

// parseInt reads an integer literal as bpftrace does: decimal, octal with a
// leading 0, hex with 0x, "_" as a digit separator, an integer exponent
// (2e3) and C suffixes (U, L, UL, LL, ULL), which do not change the value.
func parseInt(text string) (uint64, error) {
	s := strings.TrimRight(strings.ReplaceAll(text, "_", ""), "uUlL")
	if s == "" {
		return 0, errors.New("empty number")
	}
	hex := strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")
	if i := strings.IndexAny(s, "eE"); i > 0 && !hex {
		m, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			return 0, err
		}
		exp, err := strconv.ParseUint(s[i+1:], 10, 8)
		if err != nil {
			return 0, err
		}
		for range exp {
			if m > (1<<64-1)/10 {
				return 0, strconv.ErrRange
			}
			m *= 10
		}
		return m, nil
	}
	return strconv.ParseUint(s, 0, 64)
}

// unquote decodes the body of a string or character literal (without its
// quotes). On a bad escape it returns the byte offset of the backslash in
// body and a message.
func unquote(body string) (string, int, string) {
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(body) {
			return "", i, "unfinished escape"
		}
		start := i
		i++
		switch e := body[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e':
			b.WriteByte(0x1b)
		case '\\', '"', '\'', '?':
			b.WriteByte(e)
		case 'x':
			n, v := digits(body[i+1:], 16, 2)
			if n == 0 {
				return "", start, `\x needs hex digits`
			}
			b.WriteByte(byte(v))
			i += n
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n, v := digits(body[i:], 8, 3)
			if v > 255 {
				return "", start, "octal escape out of range"
			}
			b.WriteByte(byte(v))
			i += n - 1
		default:
			return "", start, "unknown escape \\" + string(e)
		}
	}
	return b.String(), -1, ""
}

// digits reads up to max digits of base from s, returning how many and the
// value.
func digits(s string, base, max int) (int, int) {
	n, v := 0, 0
	for n < len(s) && n < max {
		d, err := strconv.ParseUint(s[n:n+1], base, 8)
		if err != nil {
			break
		}
		v = v*base + int(d)
		n++
	}
	return n, v
}
