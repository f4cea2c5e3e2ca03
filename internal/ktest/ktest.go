// Package ktest holds helpers for tests that need a real kernel: root,
// kernel features and tracefs.
//
// Kernel tests are ordinary Go tests. They call RequireRoot or
// RequireFeature first; without root, or with NoKernelEnv set, they skip,
// so `go test ./...` as an ordinary user runs only the unit tests. A test skips only when the
// running kernel truly lacks a feature. Inside the vmtest VM (VMEnv set)
// every feature is known to be present, so a missing one fails the test
// instead: a broken harness can never pass by skipping.
package ktest

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// VMEnv names the environment variable the vmtest harness sets, to the
// guest kernel's release, for commands it runs inside the VM.
const VMEnv = "SURFTRACE_VM"

// NoKernelEnv names the environment variable that, when set outside the
// VM, makes every kernel test skip even as root: `make test-unit` sets it
// so that unit tests stay unit tests on a root CI machine.
const NoKernelEnv = "SURFTRACE_NO_KERNEL"

// InVM reports whether the process runs inside the vmtest VM.
func InVM() bool { return os.Getenv(VMEnv) != "" }

// Release returns the running kernel's release, as `uname -r` prints it.
func Release() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// RequireRoot skips the test unless it runs as root and NoKernelEnv is
// unset. Inside the VM, where everything runs as root, it fails instead.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Getenv(NoKernelEnv) != "" && !InVM() {
		t.Skipf("kernel test skipped: %s is set (unit-test run)", NoKernelEnv)
	}
	if os.Geteuid() == 0 {
		return
	}
	if InVM() {
		t.Fatalf("kernel test runs as uid %d inside the VM; the harness must run it as root", os.Geteuid())
	}
	t.Skipf("kernel test needs root (running as uid %d); run `make test-kernel` as root", os.Geteuid())
}
