// Package netfix provides network fixtures for kernel tests: network
// namespaces joined by veth pairs with TEST-NET addresses, and bounded
// traffic senders and sinks written in Go that run inside a namespace.
//
// Everything a fixture creates is removed by t.Cleanup, also when the test
// fails. Names embed the process id and a counter, so parallel tests and
// parallel test binaries do not collide. Traffic is sent by threads of
// the test binary, so BPF programs see it under the binary's comm (for
// example "netfix.test", cut to 15 bytes).
package netfix

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/internal/ktest"
)

// NS is a network namespace. The zero value is the namespace the test
// process runs in; Host returns it.
type NS struct {
	Name string // name under /run/netns, as `ip netns` shows it; "" for the host
}

// Host returns the test process's own namespace, for loopback traffic.
func Host() *NS { return &NS{} }

var counter atomic.Uint32

// uniqueName returns a name unique to this process and call, at most 15
// bytes (the limit for interface names) for pids up to 7 digits.
func uniqueName(kind string) string {
	return fmt.Sprintf("st%d%s%d", os.Getpid(), kind, counter.Add(1))
}

// NewNS creates a network namespace with lo up and removes it when the
// test ends. It needs root and the ip command.
func NewNS(t testing.TB) *NS {
	t.Helper()
	return newNamespaces(t, 1)[0]
}

// newNamespaces creates n namespaces with one run of `ip` (exec is slow
// in the VM), brings their lo up and deletes them when the test ends.
func newNamespaces(t testing.TB, n int) []*NS {
	t.Helper()
	ktest.RequireRoot(t)
	var batch strings.Builder
	nss := make([]*NS, n)
	for i := range nss {
		nss[i] = &NS{Name: uniqueName("n")}
		fmt.Fprintf(&batch, "netns add %s\n", nss[i].Name)
	}
	t.Cleanup(func() {
		for _, ns := range nss {
			ns.remove(t)
		}
	})
	ipBatch(t, "", batch.String())
	for _, ns := range nss {
		if err := ns.Do(func() error { return setUp("lo") }); err != nil {
			t.Fatalf("lo up in %s: %v", ns.Name, err)
		}
	}
	return nss
}

// remove deletes the namespace as `ip netns del` does: it detaches the
// bind mount that keeps it alive and removes the mount point.
func (ns *NS) remove(t testing.TB) {
	path := filepath.Join("/run/netns", ns.Name)
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return
	}
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
		t.Errorf("remove netns %s: %v", ns.Name, err)
	}
	if err := os.Remove(path); err != nil {
		t.Errorf("remove netns %s: %v", ns.Name, err)
	}
}

// IP runs `ip` with args inside the namespace and fails the test if it
// fails.
func (ns *NS) IP(t testing.TB, args ...string) {
	t.Helper()
	if ns.Name != "" {
		args = append([]string{"-n", ns.Name}, args...)
	}
	ip(t, args...)
}

func ip(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// ipBatch runs the newline-separated `ip` commands in batch, inside
// namespace netns unless it is "", with one exec.
func ipBatch(t testing.TB, netns, batch string) {
	t.Helper()
	args := []string{"-batch", "-"}
	if netns != "" {
		args = append([]string{"-n", netns}, args...)
	}
	cmd := exec.Command("ip", args...)
	cmd.Stdin = strings.NewReader(batch)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s\ncommands:\n%s", strings.Join(args, " "), err, out, batch)
	}
}

// Do runs fn on an OS thread that has entered the namespace. Sockets fn
// creates stay in the namespace and may be used from any goroutine later.
func (ns *NS) Do(fn func() error) error {
	if ns.Name == "" {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread has left the process's namespace, so
		// it must end with this goroutine rather than serve others.
		runtime.LockOSThread()
		errc <- ns.enter(fn)
	}()
	return <-errc
}

func (ns *NS) enter(fn func() error) error {
	f, err := os.Open(filepath.Join("/run/netns", ns.Name))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns %s: %w", ns.Name, err)
	}
	return fn()
}

// Sysctl sets a network sysctl, such as net.ipv4.ip_forward, in the
// namespace, and fails the test if it cannot.
func (ns *NS) Sysctl(t testing.TB, key, value string) {
	t.Helper()
	path := filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/"))
	if err := ns.Do(func() error { return os.WriteFile(path, []byte(value), 0) }); err != nil {
		t.Fatalf("sysctl %s=%s in %q: %v", key, value, ns.Name, err)
	}
}
