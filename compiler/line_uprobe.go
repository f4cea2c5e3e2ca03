package compiler

import (
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// attachUser resolves the target of a P or R line as the script's
// uprobe:BINARY:SYMBOL[+OFF] (one function, no wildcard), and makes
// pointers the line casts point into user memory.
func (c *lineChecker) attachUser(ap *lang.AttachPoint, pr *spec.Probe) {
	sc := &scriptComp{ki: c.ki, opts: c.opts}
	ts := sc.uprobes(ap)
	if len(ts) != 1 {
		fail(ap, "%s matches %d functions; a line attaches to one", ap.Target, len(ts))
	}
	t := ts[0]
	c.kind, pr.Kind, pr.Target, pr.Offset = t.kind, t.kind, t.target, t.offset
	c.fn, c.userPtrs = t.fn, true
	pr.End = ap.End
}
