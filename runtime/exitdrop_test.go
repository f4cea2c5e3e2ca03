package runtime

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// After an exit() record, the records of other probes still in the ring
// are dropped, as bpftrace drops them; END's records are printed.
func TestRecordsAfterExitDropped(t *testing.T) {
	prog := &spec.Program{Probes: []*spec.Probe{{Kind: spec.AttachUprobe}, {Kind: spec.AttachEnd, Index: 1}}}
	hit := &spec.Event{Kind: spec.EventPrintf, Probe: 0, Format: "hit\n"}
	exit := &spec.Event{Kind: spec.EventExit, Probe: 0}
	end := &spec.Event{Kind: spec.EventPrintf, Probe: 1, Format: "end\n"}
	var out bytes.Buffer
	p := &printer{out: Output{W: &out}, w: bufio.NewWriter(&out), r: testRenderer(), prog: prog}
	for i, ev := range []*spec.Event{hit, exit, hit, end} {
		if _, err := p.record(&record{event: ev}); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	p.flush()
	if got := out.String(); got != "hit\nend\n" {
		t.Errorf("printed %q, want %q", got, "hit\nend\n")
	}
}
