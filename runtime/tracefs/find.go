package tracefs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Mount points of tracefs: its own, and the one under debugfs that older
// systems use.
const (
	tracingDir = "/sys/kernel/tracing"
	debugfsDir = "/sys/kernel/debug"
)

// Find returns the directory where tracefs is mounted, mounting tracefs on
// /sys/kernel/tracing (or debugfs on /sys/kernel/debug) if it is in
// neither place yet.
func Find() (string, error) {
	legacy := filepath.Join(debugfsDir, "tracing")
	for _, dir := range []string{tracingDir, legacy} {
		if isTracefs(dir) {
			return dir, nil
		}
	}
	err := unix.Mount("nodev", tracingDir, "tracefs", 0, "")
	if err == nil && isTracefs(tracingDir) {
		return tracingDir, nil
	}
	err2 := unix.Mount("nodev", debugfsDir, "debugfs", 0, "")
	if err2 == nil && isTracefs(legacy) {
		return legacy, nil
	}
	err = errors.Join(err, err2)
	return "", fmt.Errorf("find tracefs: not mounted at %s or %s, and mounting failed: %w", tracingDir, legacy, err)
}

// isTracefs reports whether dir looks like a mounted tracefs.
func isTracefs(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "trace_pipe"))
	return err == nil
}
