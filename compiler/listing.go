package compiler

import (
	"fmt"
	"strings"
)

// Listing prints every probe's instructions with the source fragments they
// come from as comments: the --emit=asm output and the golden-test form.
func Listing(p *Program) string {
	var b strings.Builder
	for _, pr := range p.Probes {
		fmt.Fprintf(&b, "%s: %s %s\n", pr.Name, kindName(pr.Kind), pr.Target)
		fmt.Fprintf(&b, "%v", pr.Spec.Instructions)
	}
	return b.String()
}

func kindName(k AttachKind) string {
	switch k {
	case AttachKprobe:
		return "kprobe"
	case AttachKretprobe:
		return "kretprobe"
	case AttachTracepoint:
		return "tracepoint"
	case AttachRawTracepoint:
		return "rawtracepoint"
	case AttachFentry:
		return "fentry"
	case AttachFexit:
		return "fexit"
	case AttachBegin:
		return "BEGIN"
	case AttachEnd:
		return "END"
	case AttachInterval:
		return "interval"
	}
	return fmt.Sprintf("kind%d", k)
}
