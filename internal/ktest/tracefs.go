package ktest

import (
	"testing"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// TracefsDir is where the helpers expect, and mount, tracefs.
const TracefsDir = tracingdir.Path

// MountTracefs mounts tracefs unless a tracing directory is mounted, and
// returns the directory.
func MountTracefs() (string, error) { return tracingdir.Mount(nil) }

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
