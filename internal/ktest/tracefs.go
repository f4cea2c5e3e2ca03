package ktest

import (
	"path/filepath"
	"testing"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// TracefsDir is where the helpers expect, and mount, tracefs.
const TracefsDir = tracingdir.Path

// MountTracefs mounts tracefs unless a tracing directory is mounted, and
// returns the directory.
func MountTracefs() (string, error) { return tracingdir.Mount(nil) }

// RequireTracepoint makes sure tracefs is mounted and lists the
// tracepoint subsys:event (events/SUBSYS/EVENT), and returns the event's
// directory. It skips when the kernel has no such event, except inside
// the VM, whose kernel has every event the tests name.
func RequireTracepoint(t testing.TB, subsys, event string) string {
	t.Helper()
	dir := filepath.Join(RequireTracefs(t), "events", subsys, event)
	if err := exists(dir); err != nil {
		if InVM() {
			t.Fatalf("tracepoint %s:%s missing on VM kernel %s: %v", subsys, event, Release(), err)
		}
		t.Skipf("tracepoint %s:%s absent on this kernel (%s): %v", subsys, event, Release(), err)
	}
	return dir
}

// RequireTracefs makes sure tracefs is mounted and returns its directory.
// It needs root, and fails the test if tracefs cannot be mounted.
func RequireTracefs(t testing.TB) string {
	t.Helper()
	RequireRoot(t)
	dir, err := MountTracefs()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
