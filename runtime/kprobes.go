package runtime

import (
	"errors"
	"io/fs"
)

// ErrNoKprobes says the running kernel cannot attach kprobes at all.
var ErrNoKprobes = errors.New("this kernel has no kprobes (CONFIG_KPROBES or CONFIG_KPROBE_EVENTS is off: " +
	"no kprobe PMU in /sys/bus/event_source/devices and no kprobe_events in tracefs); use a tracepoint instead")

// kprobePaths are the two interfaces through which kprobes can be
// created: the perf PMU, and tracefs (either mount point).
var kprobePaths = []string{
	"sys/bus/event_source/devices/kprobe",
	"sys/kernel/tracing/kprobe_events",
	"sys/kernel/debug/tracing/kprobe_events",
}

// kprobesMissing reports whether root (the file system root) shows no way
// to create a kprobe.
func kprobesMissing(root fs.FS) bool {
	for _, p := range kprobePaths {
		if _, err := fs.Stat(root, p); err == nil {
			return false
		}
	}
	return true
}
