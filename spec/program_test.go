package spec

import (
	"strconv"
	"testing"
)

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

// The user-space kinds are named as bpftrace names them and say they are.
func TestUserKinds(t *testing.T) {
	for k, want := range map[AttachKind]string{AttachUprobe: "uprobe", AttachUretprobe: "uretprobe", AttachUsdt: "usdt"} {
		if k.String() != want || !k.User() {
			t.Errorf("AttachKind(%d) = %q, User %v; want %q, true", int(k), k.String(), k.User(), want)
		}
	}
	if AttachKprobe.User() {
		t.Error("kprobe says it is a user-space kind")
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

// Every render has its own short name, which golden files print.
func TestRenderString(t *testing.T) {
	seen := map[string]Render{}
	for r := Render(0); r < numRenders; r++ {
		name := r.String()
		if name == "" || name == "render"+strconv.Itoa(int(r)) {
			t.Errorf("Render(%d) has no name", int(r))
		}
		if prev, dup := seen[name]; dup {
			t.Errorf("Render(%d) and Render(%d) are both %q", int(prev), int(r), name)
		}
		seen[name] = r
	}
	if got := numRenders.String(); got != "render"+strconv.Itoa(int(numRenders)) {
		t.Errorf("Render(%d) = %q", int(numRenders), got)
	}
}
