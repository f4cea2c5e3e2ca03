package spec

import "testing"

// Every attach kind has a name, and the names are those bpftrace gives
// the probe types (what listings and error messages print).
func TestAttachKindString(t *testing.T) {
	want := []string{"kprobe", "kretprobe", "tracepoint", "rawtracepoint", "fentry", "fexit", "BEGIN", "END", "interval"}
	for k := AttachKprobe; k <= AttachInterval; k++ {
		if got := k.String(); got != want[k-AttachKprobe] {
			t.Errorf("AttachKind(%d) = %q, want %q", int(k), got, want[k-AttachKprobe])
		}
	}
	if got := AttachKind(0).String(); got != "kind0" {
		t.Errorf("AttachKind(0) = %q, want kind0", got)
	}
}

// The perf-event kinds are named as bpftrace names the probe types.
func TestPerfAttachKindString(t *testing.T) {
	want := []string{"profile", "software", "hardware", "watchpoint", "asyncwatchpoint"}
	for i, k := range []AttachKind{AttachProfile, AttachSoftware, AttachHardware, AttachWatchpoint, AttachAsyncWatchpoint} {
		if got := k.String(); got != want[i] {
			t.Errorf("AttachKind(%d) = %q, want %q", int(k), got, want[i])
		}
	}
}
