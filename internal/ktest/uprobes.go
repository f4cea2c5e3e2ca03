package ktest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// RequireUprobes skips the test when the kernel has no uprobe PMU (perf
// uprobes, which uprobe, uretprobe and USDT probes attach through), and
// fails it in the VM, whose kernel has one. It also needs root.
func RequireUprobes(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	err := exists("/sys/bus/event_source/devices/uprobe/type")
	switch {
	case err == nil:
	case InVM():
		t.Fatalf("uprobes missing on VM kernel %s, which is known to have them: %v", Release(), err)
	default:
		t.Skipf("uprobes absent on this kernel (%s): %v", Release(), err)
	}
}

// BuildProbes compiles the user-space probe fixture
// (kernel/uelf/testdata/probes.c: a plain function for uprobes, USDT
// probes with arguments and one with a semaphore) with gcc into a
// temporary directory and returns the binary's path. opt is gcc's
// optimization flag: -O0 puts USDT arguments in stack memory, -O2 in
// registers. gcc and sys/sdt.h come from tools/deps.sh.
func BuildProbes(t testing.TB, opt string) string {
	t.Helper()
	return build(t, "gcc", "probes.c", "surfprobes", opt)
}

// BuildCPP compiles the C++ fixture (kernel/uelf/testdata/cpp.cc: a
// method and an overloaded function, mangled) with g++ -O0.
func BuildCPP(t testing.TB) string {
	t.Helper()
	return build(t, "g++", "cpp.cc", "surfcpp", "-O0")
}

// build compiles testdata file src of kernel/uelf with cc into binary
// name in a temporary directory.
func build(t testing.TB, cc, src, name, opt string) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	src = filepath.Join(filepath.Dir(self), "..", "..", "kernel", "uelf", "testdata", src)
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command(cc, opt, "-o", bin, src).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (tools/deps.sh installs gcc, g++ and systemtap-sdt-dev): %v\n%s", cc, src, err, out)
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}
