package compiler

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// Listing prints every probe's instructions with the source fragments they
// come from as comments: the --emit=asm output and the golden-test form.
func Listing(p *spec.Program) string {
	var b strings.Builder
	for _, pr := range p.Probes {
		fmt.Fprintf(&b, "%s: %s %s\n", pr.Name, pr.Kind, pr.Target)
		fmt.Fprintf(&b, "%v", pr.Spec.Instructions)
	}
	return b.String()
}
