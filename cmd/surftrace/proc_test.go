package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/surftrace/surftrace/runtime/tracefs"
)

// Helpers for tests that run surftrace as a process of its own (the test
// binary re-executed as the CLI), so it can be signalled and killed.

// cliProc is one surftrace process.
type cliProc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer // read only after wait
	ready          string
	done           chan struct{}
	code           int
}

// startCLI starts surftrace with args and a --ready-file, and waits until
// every probe is attached; a process that exits first fails the test. The
// process is killed at the end of the test if it still runs.
func startCLI(t *testing.T, args ...string) *cliProc {
	t.Helper()
	return startCLIOut(t, nil, args...)
}

// startCLIOut is startCLI with stdout going to out instead of p.stdout.
func startCLIOut(t *testing.T, out *os.File, args ...string) *cliProc {
	t.Helper()
	return startCLIWithin(t, out, 30*time.Second, args...)
}

// startCLIWithin is startCLIOut waiting up to ready for the probes to
// attach, for runs that load many programs under the VM's emulation.
func startCLIWithin(t *testing.T, out *os.File, ready time.Duration, args ...string) *cliProc {
	t.Helper()
	p := &cliProc{ready: filepath.Join(t.TempDir(), "ready"), done: make(chan struct{})}
	p.cmd = cliCommand(false, append([]string{"--ready-file", p.ready}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if out != nil {
		p.cmd.Stdout = out
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		p.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode() // -1 when killed by a signal
		} else if err != nil {
			p.code = -2
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	deadline := time.After(ready)
	for {
		if _, err := os.Stat(p.ready); err == nil {
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("surftrace %q exited (%d) before it was ready:\nstdout:\n%s\nstderr:\n%s", args, p.code, p.stdout.String(), p.stderr.String())
		case <-deadline:
			t.Fatalf("surftrace %q not ready after %v", args, ready)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *cliProc) pid() int { return p.cmd.Process.Pid }

// wait waits for the process to exit and returns its exit status (-1 if a
// signal killed it).
func (p *cliProc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("surftrace pid %d still runs after %v", p.pid(), timeout)
	}
	t.Logf("surftrace pid %d: exit %d\nstdout:\n%sstderr:\n%s", p.pid(), p.code, p.stdout.String(), p.stderr.String())
	return p.code
}

// bpfObjects are the ids of the BPF objects a process holds fds of.
type bpfObjects struct{ progs, maps, links []uint32 }

func (o bpfObjects) String() string {
	return "progs " + idList(o.progs) + ", maps " + idList(o.maps) + ", links " + idList(o.links)
}

func idList(ids []uint32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// heldBPF reads /proc/PID/fdinfo: a BPF program fd says prog_id, a map fd
// map_id, a link fd link_id (and the prog_id of its program).
func heldBPF(t *testing.T, pid int) bpfObjects {
	t.Helper()
	dir := "/proc/" + strconv.Itoa(pid) + "/fdinfo"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[uint32]bool{"prog_id": {}, "map_id": {}, "link_id": {}}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // closed meanwhile
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if m := seen[k]; ok && m != nil {
				if id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32); err == nil {
					m[uint32(id)] = true
				}
			}
		}
	}
	keys := func(m map[uint32]bool) []uint32 {
		var ids []uint32
		for id := range m {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		return ids
	}
	return bpfObjects{keys(seen["prog_id"]), keys(seen["map_id"]), keys(seen["link_id"])}
}

// liveBPF returns the ids of o that the kernel still knows. The kernel
// frees objects a little after the last fd closes, so callers poll.
func liveBPF(o bpfObjects) bpfObjects {
	var live bpfObjects
	for _, id := range o.progs {
		if p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id)); err == nil {
			p.Close()
			live.progs = append(live.progs, id)
		}
	}
	for _, id := range o.maps {
		if m, err := ebpf.NewMapFromID(ebpf.MapID(id)); err == nil {
			m.Close()
			live.maps = append(live.maps, id)
		}
	}
	for _, id := range o.links {
		if l, err := link.NewFromID(link.ID(id)); err == nil {
			l.Close()
			live.links = append(live.links, id)
		}
	}
	return live
}

// wantBPFGone fails unless every object of o is freed within a few seconds.
func wantBPFGone(t *testing.T, what string, o bpfObjects) {
	t.Helper()
	var live bpfObjects
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		live = liveBPF(o)
		if len(live.progs)+len(live.maps)+len(live.links) == 0 {
			return
		}
	}
	t.Errorf("%s: still in the kernel: %v (of %v)", what, live, o)
}

// pinned lists everything under the bpf filesystem.
func pinned(t *testing.T) map[string]bool {
	t.Helper()
	got := make(map[string]bool)
	filepath.WalkDir("/sys/fs/bpf", func(path string, d os.DirEntry, err error) error {
		if err == nil && path != "/sys/fs/bpf" {
			got[path] = true
		}
		return nil
	})
	return got
}

// wantNoNewPins fails if something was pinned since before.
func wantNoNewPins(t *testing.T, before map[string]bool) {
	t.Helper()
	for p := range pinned(t) {
		if !before[p] {
			t.Errorf("new pinned object %s", p)
		}
	}
}

// tracefsRoot returns the tracefs mount.
func tracefsRoot(t *testing.T) string {
	t.Helper()
	root, err := tracefs.Find()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// ftraceLeft lists what of pid's run is in tracefs: its instance and its
// kprobe_events lines.
func ftraceLeft(t *testing.T, pid int) []string {
	t.Helper()
	root := tracefsRoot(t)
	name := "surftrace_" + strconv.Itoa(pid)
	var left []string
	if _, err := os.Stat(filepath.Join(root, "instances", name)); err == nil {
		left = append(left, "instances/"+name)
	}
	b, _ := os.ReadFile(filepath.Join(root, "kprobe_events"))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, ":"+name+"/") {
			left = append(left, "kprobe_events: "+l)
		}
	}
	return left
}

// signalName names the signals the tests send.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGKILL:
		return "SIGKILL"
	}
	return s.String()
}
