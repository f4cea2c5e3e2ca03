package tracefs

import (
	"fmt"
	"strings"
)

// The whitelists. Nothing outside them is ever written to tracefs: no
// newline, ';', '>', '#', quote or backslash can reach kprobe_events, so
// no input can append lines of its own.
const (
	alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	// nameChars may appear in group, event and field names (C identifiers).
	nameChars = alnum + "_"
	// defChars may appear in a kprobe_events definition:
	// "p:g/p0 ip_output+0x10 proto=+0x9(+0xe8(%dx)):u8 comm=$comm s=@sym:x64 a=+0(%di):u8[6]".
	defChars = nameChars + " .:/+-%$()=@[]"
	// filterChars may appear in an event filter outside string literals.
	filterChars = nameChars + " .()&|!=<>~*-\""
	// literalChars may appear inside a quoted filter string.
	literalChars = nameChars + " .,:/+-*?[]@%^{}()=<>!~&|'"
)

// checkName reports whether s is a C identifier, as tracefs wants for
// groups, events and fetch argument names.
func checkName(what, s string) error {
	if s == "" || strings.Trim(s, nameChars) != "" || (s[0] >= '0' && s[0] <= '9') {
		return fmt.Errorf("invalid %s %q: want a C identifier", what, s)
	}
	return nil
}

// checkDef checks a kprobe_events line before it is appended.
func checkDef(line string) error {
	if i := strings.IndexFunc(line, notIn(defChars)); i >= 0 {
		return fmt.Errorf("refusing kprobe_events line %q: character %q at %d is not allowed", line, line[i], i)
	}
	return nil
}

// checkFilter checks an event filter: whitelisted characters outside
// string literals, a stricter set inside, and balanced quotes.
func checkFilter(filter string) error {
	inStr := false
	for i := 0; i < len(filter); i++ {
		c := filter[i]
		ok := strings.IndexByte(filterChars, c) >= 0
		if inStr {
			ok = c == '"' || strings.IndexByte(literalChars, c) >= 0
		}
		if !ok {
			return fmt.Errorf("refusing filter %q: character %q at %d is not allowed", filter, c, i)
		}
		if c == '"' {
			inStr = !inStr
		}
	}
	if inStr {
		return fmt.Errorf("refusing filter %q: unterminated string", filter)
	}
	return nil
}

// notIn returns a predicate for runes outside set.
func notIn(set string) func(rune) bool {
	return func(r rune) bool { return r > 0x7f || !strings.ContainsRune(set, r) }
}
