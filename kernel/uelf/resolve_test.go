package uelf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// A path that exists only in the mount namespace of process pid resolves
// through /proc/PID/root, as bpftrace finds such a process's executable.
func TestResolveInMountNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a mount namespace")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare(1) is not installed")
	}
	dir := t.TempDir()
	ready := filepath.Join(t.TempDir(), "ready")
	script := "mount -t tmpfs none " + dir + " && touch " + dir + "/inside && touch " + ready + " && sleep 30"
	cmd := exec.Command(unshare, "--mount", "--propagation", "private", "sh", "-c", script)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the namespace did not come up within 10s")
		}
	}
	name := filepath.Join(dir, "inside")
	if _, err := Resolve(name, 0); err == nil {
		t.Fatalf("%s resolved outside the namespace", name)
	}
	// unshare execs sh in the new namespace: cmd's pid is the shell's.
	got, err := Resolve(name, cmd.Process.Pid)
	if want := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "root", name); err != nil || got != want {
		t.Errorf("Resolve(%s, pid) = %q, %v; want %q", name, got, err, want)
	}
}
