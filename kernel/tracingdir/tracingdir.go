// Package tracingdir is the one place that knows where the kernel's
// tracing directory (tracefs) lives. Find returns the directory that is
// mounted; Mount also mounts tracefs when it is missing, as perf and
// bpftrace users expect: tracefs on /sys/kernel/tracing, or, where the
// kernel has no such mount point (before Linux 4.1), debugfs on
// /sys/kernel/debug with its tracing directory. Mounting needs
// CAP_SYS_ADMIN; without it the error says what to mount.
//
// Callers mount lazily, when they need tracefs (a tracepoint's format, the
// tracepoint list, the ftrace backend), so a program that needs none
// mounts nothing.
package tracingdir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// The places the tracing directory may be, newest convention first.
const (
	// Path is tracefs' own mount point.
	Path = "/sys/kernel/tracing"
	// Debugfs is where debugfs is mounted; its tracing directory is
	// tracefs (mounted automatically since Linux 4.1) or, before, part of
	// debugfs itself.
	Debugfs = "/sys/kernel/debug"
	// Legacy is the tracing directory inside debugfs.
	Legacy = Debugfs + "/tracing"
)

// Roots are the places Find looks, in order.
var Roots = [...]string{Path, Legacy}

// ErrNotMounted is the error of Find, and of Mount when it could not
// mount.
var ErrNotMounted = errors.New("tracefs is not mounted")

// Find returns the tracing directory that is mounted, without mounting
// anything.
func Find() (string, error) {
	for _, dir := range Roots {
		if isTracing(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w (not at %s nor %s): as root, run: mount -t tracefs nodev %s", ErrNotMounted, Path, Legacy, Path)
}

// mu keeps the goroutines of one process from mounting twice.
var mu sync.Mutex

// Mount returns the tracing directory, mounting tracefs on Path first when
// no tracing directory is mounted (or debugfs on Debugfs when tracefs
// cannot be mounted there), and then writes one line saying so to note
// (nil: no note). Without the privilege to mount, the error says what to
// mount. It never wraps fs.ErrNotExist: a caller's "no such file" stays
// about the file it looked up.
func Mount(note io.Writer) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if dir, err := Find(); err == nil {
		return dir, nil
	}
	err := unix.Mount("nodev", Path, "tracefs", 0, "")
	if err == nil && isTracing(Path) {
		noteMount(note, "tracefs", Path)
		return Path, nil
	}
	if err == unix.EPERM || err == unix.EACCES {
		return "", fmt.Errorf("%w at %s, and mounting it needs root (CAP_SYS_ADMIN): as root, run: mount -t tracefs nodev %s", ErrNotMounted, Path, Path)
	}
	err2 := unix.Mount("nodev", Debugfs, "debugfs", 0, "")
	if err2 == nil && isTracing(Legacy) {
		noteMount(note, "debugfs", Debugfs)
		return Legacy, nil
	}
	return "", fmt.Errorf("%w at %s nor %s, and mounting failed (tracefs: %v; debugfs: %v): as root, run: mount -t tracefs nodev %s", ErrNotMounted, Path, Legacy, errText(err), errText(err2), Path)
}

// noteMount tells note what Mount mounted.
func noteMount(note io.Writer, fs, dir string) {
	if note != nil {
		fmt.Fprintf(note, "surftrace: %s was not mounted; mounted it on %s\n", fs, dir)
	}
}

// errText is err's text, "mounted, but no tracing directory in it" when
// the mount succeeded.
func errText(err error) string {
	if err == nil {
		return "mounted, but no tracing directory in it"
	}
	return err.Error()
}

// isTracing reports whether dir is a mounted tracing directory: tracefs,
// or the tracing directory of an old debugfs.
func isTracing(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false
	}
	if st.Type == unix.TRACEFS_MAGIC {
		return true
	}
	if st.Type != unix.DEBUGFS_MAGIC {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, "trace_pipe"))
	return err == nil
}
