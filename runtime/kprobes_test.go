package runtime

import (
	"testing"
	"testing/fstest"
)

func TestKprobesMissing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fs      fstest.MapFS
		missing bool
	}{
		{"nothing", fstest.MapFS{"sys/bus/event_source/devices/tracepoint/type": {}}, true},
		{"pmu", fstest.MapFS{"sys/bus/event_source/devices/kprobe/type": {}}, false},
		{"tracefs", fstest.MapFS{"sys/kernel/tracing/kprobe_events": {}}, false},
		{"debugfs", fstest.MapFS{"sys/kernel/debug/tracing/kprobe_events": {}}, false},
	} {
		if got := kprobesMissing(tc.fs); got != tc.missing {
			t.Errorf("%s: kprobesMissing = %v, want %v", tc.name, got, tc.missing)
		}
	}
}
