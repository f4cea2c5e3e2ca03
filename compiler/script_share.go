package compiler

import "github.com/surftrace/surftrace/lang"

// DefaultMaxPrograms is how many BPF programs a script may make when
// Options.MaxPrograms is 0: bpftrace's default for BPFTRACE_MAX_BPF_PROGS.
const DefaultMaxPrograms = 512

// checkProgramCount fails at ap when it makes n programs, more than
// the limit (Options.MaxPrograms), as bpftrace counts them: per attach
// point, so BEGIN, END and single probes never reach it. The message is
// bpftrace's, which its users and tests match.
func (sc *scriptComp) checkProgramCount(ap *lang.AttachPoint, n int) {
	limit := sc.opts.MaxPrograms
	if limit <= 0 {
		limit = DefaultMaxPrograms
	}
	if n > limit {
		fail(ap, "failed to compile: Your program is trying to generate more than %d BPF programs, which exceeds the current limit of %d.\n"+
			"You can increase the limit through the BPFTRACE_MAX_BPF_PROGS environment variable.", n, limit)
	}
}
