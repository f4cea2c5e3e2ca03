package ktest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// ChildEnv is set, to the mode the parent asked for, in the environment of
// a test's child process started by RunChild.
const ChildEnv = "SURFTRACE_TEST_CHILD"

// parentNSEnv passes the parent's mount namespace to the child, which
// UnmountTracing checks it left.
const parentNSEnv = "SURFTRACE_TEST_PARENT_MNTNS"

// ChildMode returns the mode a child process started by RunChild runs in,
// or "" in an ordinary test process.
func ChildMode() string { return os.Getenv(ChildEnv) }

// RunChild runs test t again in a child process of this test binary, with
// ChildEnv set to mode, in a mount namespace of its own: its mounts and
// unmounts (UnmountTracing) are private, so other tests and processes on
// the machine never see them. The test tells its two parts apart with
// ChildMode. RunChild fails t if the child fails, with its output.
func RunChild(t testing.TB, mode string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1")
	parentNS, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), ChildEnv+"="+mode, parentNSEnv+"="+parentNS)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child (%s): %v\n%s", mode, err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("child (%s) did not run %s:\n%s", mode, t.Name(), out)
	}
	t.Logf("child (%s):\n%s", mode, out)
}

// UnmountTracing unmounts tracefs and debugfs wherever they are mounted
// under /sys/kernel, leaving the process's mount namespace as a machine
// where nothing mounted them yet. It refuses to run outside a child of
// RunChild in its own mount namespace, so no test unmounts tracefs under
// the feet of others.
func UnmountTracing() error {
	self, err := os.Readlink("/proc/self/ns/mnt")
	parent := os.Getenv(parentNSEnv)
	if err != nil || parent == "" || self == parent {
		return fmt.Errorf("UnmountTracing outside a mount namespace of its own (%s, parent's %q, %v): use RunChild", self, parent, err)
	}
	for range 16 { // stacked mounts come off one at a time
		points, err := tracingMounts()
		if err != nil {
			return err
		}
		if len(points) == 0 {
			if dir, err := tracingdir.Find(); err == nil {
				return fmt.Errorf("unmounted every tracing mount, but %s is still tracefs", dir)
			}
			return nil
		}
		for _, p := range points {
			if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && err != unix.EINVAL {
				return fmt.Errorf("unmount %s: %w", p, err)
			}
		}
	}
	return fmt.Errorf("tracefs still mounted after 16 rounds of unmounting")
}

// tracingMounts lists the mount points of tracefs and debugfs under
// /sys/kernel, deepest first.
func tracingMounts() ([]string, error) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 3 && (fs[2] == "tracefs" || fs[2] == "debugfs") && strings.HasPrefix(fs[1], "/sys/kernel/") {
			points = append(points, fs[1])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	return points, sc.Err()
}

// AsNobody makes the process run as nobody (uid and gid 65534), without
// root's capabilities, until t ends; the saved uid stays root so that the
// test can clean up as root.
func AsNobody(t testing.TB) {
	t.Helper()
	if err := syscall.Setresgid(65534, 65534, 0); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setresuid(65534, 65534, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Setresuid(0, 0, 0); err != nil {
			t.Error(err)
		}
		if err := syscall.Setresgid(0, 0, 0); err != nil {
			t.Error(err)
		}
	})
}
