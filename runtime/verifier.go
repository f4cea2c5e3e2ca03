package runtime

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
)

// VerifierError says the kernel verifier rejected a probe's program. Its
// message starts with the probe's position and name, gives the verifier's
// reason, and names the script construct the failing instruction was
// compiled from; the whole log follows only when loading was verbose.
type VerifierError struct {
	Probe  *spec.Probe
	Reason string // the last meaningful line of the log
	Insn   int    // the failing instruction's offset, -1 when unknown
	Source string // what the failing instruction was compiled from, or ""
	// Log is the verifier's whole log, one line per element.
	Log     []string
	Verbose bool
	Err     *ebpf.VerifierError
}

// Error renders "pos: probe: the kernel verifier rejected this probe: reason".
func (e *VerifierError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: the kernel verifier rejected this probe: %s", e.Probe.Pos, probeLabel(e.Probe), e.Reason)
	if e.Source != "" {
		fmt.Fprintf(&b, " (instruction %d, from %s)", e.Insn, e.Source)
	}
	if e.Verbose && len(e.Log) > 0 {
		b.WriteString("\nverifier log:\n\t" + strings.Join(e.Log, "\n\t"))
	} else if len(e.Log) > 0 {
		b.WriteString(" (-v shows the verifier log)")
	}
	return b.String()
}

// Unwrap returns cilium/ebpf's error.
func (e *VerifierError) Unwrap() error { return e.Err }

var (
	// insnLine matches a verifier log line that shows an instruction.
	insnLine = regexp.MustCompile(`^(\d+): \(`)
	// stateLine matches log lines that show instructions, register state,
	// branches or statistics rather than a reason.
	stateLine = regexp.MustCompile(`^(\d+: |; |from \d+ to \d+|processed |verification time|stack depth|max_states_per_insn|mark_precise|last_idx|regs=|parent |func#|Func#|\s*$)`)
)

// newVerifierError digs the reason and the failing instruction out of the
// verifier log of spec, the program as it was loaded.
func newVerifierError(probe *spec.Probe, spec *ebpf.ProgramSpec, ve *ebpf.VerifierError, verbose bool) *VerifierError {
	e := &VerifierError{Probe: probe, Insn: -1, Log: ve.Log, Verbose: verbose, Err: ve}
	e.Reason = lastReason(ve.Log)
	if e.Reason == "" {
		e.Reason = ve.Cause.Error()
	}
	failing := -1
	for i := len(ve.Log) - 1; i >= 0; i-- {
		if m := insnLine.FindStringSubmatch(ve.Log[i]); m != nil {
			e.Insn, _ = strconv.Atoi(m[1])
			failing = i
			break
		}
	}
	if failing >= 0 {
		e.Source = insnSource(spec, e.Insn)
		if e.Source == "" {
			e.Source = logSource(ve.Log[:failing])
		}
	}
	return e
}

// lastReason returns the last log line that is not instruction, state or
// statistics output.
func lastReason(log []string) string {
	for i := len(log) - 1; i >= 0; i-- {
		if !stateLine.MatchString(log[i]) {
			return strings.TrimSpace(log[i])
		}
	}
	return ""
}

// lineInfoFile matches the " @ file:line" the kernel appends to source
// lines from BTF line info.
var lineInfoFile = regexp.MustCompile(` @ \S*:\d+$`)

// logSource returns the source line the kernel printed (from BTF line
// info) closest before the failing instruction, or "". The kernel prints a
// line only where line info changes, so this is the fallback for programs
// without source annotations.
func logSource(log []string) string {
	for i := len(log) - 1; i >= 0; i-- {
		if line, ok := strings.CutPrefix(log[i], "; "); ok {
			return lineInfoFile.ReplaceAllString(strings.TrimSpace(line), "")
		}
	}
	return ""
}

// insnSource returns the source annotation of the instruction at raw
// offset insn or, failing that, of the nearest annotated one before it.
func insnSource(spec *ebpf.ProgramSpec, insn int) string {
	source := ""
	iter := spec.Instructions.Iterate()
	for iter.Next() && int(iter.Offset) <= insn {
		if s := iter.Ins.Source(); s != nil {
			source = s.String()
		}
	}
	return source
}
