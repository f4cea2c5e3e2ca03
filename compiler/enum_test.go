package compiler

import (
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestTracepointEnumField: an enum field prints by the names the print
// fmt's __print_symbolic gives (as ftrace does), by BTF's for the values
// it leaves out; the filter compares numbers and those names.
func TestTracepointEnumField(t *testing.T) {
	p, err := Compile(parseLine(t, `e skb/kfree_skb reason=reason f:reason==NO_SOCKET`), fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := p.Events[0].Fields[0]
	if f.Render != spec.RenderEnum || f.Size != 4 {
		t.Fatalf("reason: render %d size %d, want RenderEnum (%d), 4", f.Render, f.Size, spec.RenderEnum)
	}
	for v, want := range map[uint64]string{1: "SKB_CONSUMED", 2: "NOT_SPECIFIED", 3: "NO_SOCKET"} {
		if got := f.Enum[v]; got != want {
			t.Errorf("reason %d prints %q, want %q", v, got, want)
		}
	}
}
