package runtime

import (
	"slices"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// Tracepoints attach in the script's order, uprobes, kprobes and perf
// events after them in reverse (the kernel runs the latest of those
// first).
func TestAttachOrder(t *testing.T) {
	kinds := []spec.AttachKind{spec.AttachTracepoint, spec.AttachUprobe, spec.AttachTracepoint, spec.AttachSoftware, spec.AttachKprobe}
	var probes []*spec.Probe
	for _, k := range kinds {
		probes = append(probes, &spec.Probe{Kind: k})
	}
	if got, want := attachOrder(probes), []int{0, 2, 4, 3, 1}; !slices.Equal(got, want) {
		t.Errorf("attachOrder = %v, want %v", got, want)
	}
}
