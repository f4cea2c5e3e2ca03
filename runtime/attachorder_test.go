package runtime

import (
	"slices"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// Tracepoints and kretprobes attach in the script's order, uprobes,
// kprobes and perf events after them in reverse (the kernel runs the
// latest of those first).
func TestAttachOrder(t *testing.T) {
	kinds := []spec.AttachKind{spec.AttachTracepoint, spec.AttachUprobe, spec.AttachKretprobe, spec.AttachTracepoint,
		spec.AttachSoftware, spec.AttachKprobe, spec.AttachKretprobe}
	var probes []*spec.Probe
	for _, k := range kinds {
		probes = append(probes, &spec.Probe{Kind: k})
	}
	if got, want := attachOrder(probes), []int{0, 2, 3, 6, 5, 4, 1}; !slices.Equal(got, want) {
		t.Errorf("attachOrder = %v, want %v", got, want)
	}
}
