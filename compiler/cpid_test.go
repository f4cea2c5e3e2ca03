package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestCpidNeedsChild: Options.PID is -p's process or -c's command, and
// only the latter (Child) is cpid; -p's pid alone leaves cpid an error.
func TestCpidNeedsChild(t *testing.T) {
	prog, err := script.Parse(&lang.Source{Name: "c.st", Text: `BEGIN { printf("%d\n", cpid); }`})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(prog, fakeKernel(t), Options{PID: 4242})
	if err == nil || !strings.Contains(err.Error(), "cpid cannot be used without a child command (-c)") {
		t.Fatalf("with -p only: got %v, want the cpid error", err)
	}
	p, err := Compile(prog, fakeKernel(t), Options{PID: 4242, Child: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ins := range p.Probes[0].Spec.Instructions {
		found = found || ins.Constant == 4242
	}
	if !found {
		t.Errorf("no constant 4242 (cpid) in the program:\n%v", p.Probes[0].Spec.Instructions)
	}
}
