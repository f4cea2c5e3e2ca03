package line

import (
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// userAttach converts the target of a P or R line, BINARY:SYMBOL[+OFF]
// (BINARY a path or a library name, SYMBOL a function, a wildcard or a
// 0x address), into Target "BINARY:SYMBOL" and Offset, as the script
// attach point uprobe:BINARY:SYMBOL+OFF.
func (c *converter) userAttach(kind lang.ProbeKind, t *target, ap *lang.AttachPoint) *lang.AttachPoint {
	letter := "P"
	if kind == lang.Uretprobe {
		letter = "R"
	}
	if t.Path == "" {
		c.fail(lang.Errorf(ap.Span, "want BINARY:SYMBOL[+OFF] after %s", letter).
			WithHint(letter + " /bin/bash:readline, for example"))
	}
	i := strings.LastIndexByte(t.Path, ':')
	if i <= 0 || i == len(t.Path)-1 {
		c.fail(lang.Errorf(ap.Span, "want BINARY:SYMBOL[+OFF] after %s", letter).
			WithHint(letter + " /bin/bash:readline, for example"))
	}
	ap.Target = t.Path
	if j := strings.LastIndexByte(t.Path, '+'); j > i {
		offPos := t.Pos
		offPos.Offset += j + 1
		rest := c.tokSpan(offPos, len(t.Path)-j-1)
		if kind == lang.Uretprobe {
			c.failf(rest, "an R line takes no offset")
		}
		off, err := parseUint(t.Path[j+1:])
		if err != nil {
			c.failf(rest, "bad offset %s, want a decimal or 0x hex number", t.Path[j+1:])
		}
		ap.Target, ap.Offset = t.Path[:j], off
	}
	return ap
}
