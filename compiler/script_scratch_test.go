package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// scratchScript is a probe with vars integer variables and a key of
// three comms whose sum() holds 11 values live at once: with 52
// variables the spills do not fit between the variables and scratch
// space on the stack, so the probe must fall back to the scratch map.
func scratchScript(vars int) string {
	var b strings.Builder
	b.WriteString("tracepoint:skb:kfree_skb { ")
	for i := range vars {
		fmt.Fprintf(&b, "$v%d = %d; ", i, i)
	}
	sum := fmt.Sprintf("$v%d", vars-1)
	for i := 9; i >= 0; i-- {
		sum = fmt.Sprintf("$v%d + (%s)", i%vars, sum)
	}
	fmt.Fprintf(&b, "@[comm, comm, comm] = sum(%s); }", sum)
	return b.String()
}

// TestScratchPlacement checks where a probe's scratch space goes: the
// stack when it and the spills fit, the per-CPU map when they do not,
// the stack for a probe that sends records (every byte of a record is
// written), and the map for a probe that leaves bytes a helper reads
// unwritten, which kernels before 6.5 refuse a helper to read from the
// stack.
func TestScratchPlacement(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		onStack    bool
	}{
		{"few variables", scratchScript(11), true},
		{"spills need the room", scratchScript(52), false},
		{"records", `tracepoint:skb:kfree_skb { printf("%s\n", comm); }`, true},
		// The tuple's ntop() field is 4 bytes of its 8-byte slot, and
		// map_update reads the whole value.
		{"value with unwritten bytes", `tracepoint:skb:kfree_skb { @x = (ntop(2130706433), 1); }`, false},
	} {
		prog, err := script.Parse(&lang.Source{Name: tc.name, Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, fakeKernel(t), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		listing := Listing(p)
		if got := !strings.Contains(listing, "<"+ScratchMap+">"); got != tc.onStack {
			t.Errorf("%s: scratch on the stack = %v, want %v:\n%s", tc.name, got, tc.onStack, listing)
		}
	}
}

// TestVerifierScratchFallback loads the probe that falls back to the
// scratch map, and its neighbour that keeps scratch space on the stack.
func TestVerifierScratchFallback(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	ktest.RequireTracefs(t)
	for _, vars := range []int{11, 52} {
		if err := loadScript(t, "scratch", scratchScript(vars), Options{}); err != nil {
			t.Errorf("%d variables: load: %v", vars, verifierTail(err))
		}
	}
}
