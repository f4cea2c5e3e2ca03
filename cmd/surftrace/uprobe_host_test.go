package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestUserLines runs P and R lines on the gcc-built fixture
// (kernel/uelf/testdata/probes.c): arguments in registers, a return
// value, a string through a cast pointer read from user memory, and a
// library function found by name (P libc:atoi), filtered by comm.
func TestUserLines(t *testing.T) {
	ktest.RequireUprobes(t)
	ktest.RequireFeature(t, ktest.Ringbuf)
	bin := ktest.BuildProbes(t, "-O0")
	lines := []string{
		"--max-events", "11",
		"P " + bin + ":surf_add a=%0 b=S%1",
		"R " + bin + ":surf_add r=S$retval",
		"P " + bin + ":surf_name s=!(char *)%0",
		"P libc:atoi n=!(char *)%0 c=$comm f:c==surfprobes",
	}
	r := traceWhile(t, lines, func() {
		if out, err := exec.Command(bin, "3", "5").CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", bin, err, out)
		}
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	want := map[string][]string{
		"P0": {"a=1 b=-10", "a=2 b=-20", "a=3 b=-30"},
		"R1": {"r=-9", "r=-18", "r=-27"},
		"P2": {`s="hello"`, `s="hello"`, `s="hello"`},
		"P3": {`n="3" c="surfprobes"`, `n="5" c="surfprobes"`},
	}
	for probe, w := range want {
		if got := fieldsOf(r.lines, probe); !reflect.DeepEqual(got, w) {
			t.Errorf("%s printed %q, want %q", probe, got, w)
		}
	}
	for _, l := range r.lines {
		if l.Comm != "surfprobes" {
			t.Errorf("comm %q, want surfprobes: %s", l.Comm, l.Raw)
		}
	}
}

// TestUserLinesNeedBPF: the ftrace backend has no uprobe_events, and says
// so with the line's position.
func TestUserLinesNeedBPF(t *testing.T) {
	var out, errb strings.Builder
	code := run([]string{"-S", "P libc:malloc x=%0"}, &out, &errb)
	if code == exitOK || !strings.Contains(errb.String(), "1:3: P and R lines need the bpf backend") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestUserLinePID: with -p, a P line fires only in that process, though
// another process runs the same binary at the same time.
func TestUserLinePID(t *testing.T) {
	ktest.RequireUprobes(t)
	ktest.RequireFeature(t, ktest.Ringbuf)
	bin := ktest.BuildProbes(t, "-O0")
	var procs [2]*exec.Cmd
	var gos [2]io.WriteCloser
	for i := range procs {
		procs[i] = exec.Command(bin, "2", "0", "wait")
		w, err := procs[i].StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := procs[i].Start(); err != nil {
			t.Fatal(err)
		}
		gos[i] = w
		defer procs[i].Process.Kill()
	}
	pid := procs[0].Process.Pid
	r := traceWhile(t, []string{"-p", strconv.Itoa(pid), "P " + bin + ":surf_add a=%0"}, func() {
		for i := range procs {
			gos[i].Write([]byte{1})
			gos[i].Close()
			procs[i].Wait()
		}
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	if got := fieldsOf(r.lines, "P0"); !reflect.DeepEqual(got, []string{"a=1", "a=2"}) {
		t.Errorf("P0 printed %q, want a=1 and a=2 once", got)
	}
	for _, l := range r.lines {
		if l.Pid != pid {
			t.Errorf("pid %d, want %d: %s", l.Pid, pid, l.Raw)
		}
	}
}

// TestUserLineChild: with -c, a P line fires only in the command (the
// one PID of runtime.Options), though another process runs the same
// binary while the command lingers. surftrace runs as a child process
// here, as -c is used from a shell.
func TestUserLineChild(t *testing.T) {
	ktest.RequireUprobes(t)
	ktest.RequireFeature(t, ktest.Ringbuf)
	bin := ktest.BuildProbes(t, "-O0")
	ready := filepath.Join(t.TempDir(), "ready")
	var stdout, stderr bytes.Buffer
	cli := cliCommand(false, "--ready-file", ready, "--duration", "60s", "-c", bin+" 2 2000", "P "+bin+":surf_add a=%0")
	cli.Stdout, cli.Stderr = &stdout, &stderr
	if err := cli.Start(); err != nil {
		t.Fatal(err)
	}
	defer cli.Process.Kill()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("surftrace never got ready: %s", stderr.String())
		}
	}
	other := exec.Command(bin, "3", "0")
	if out, err := other.CombinedOutput(); err != nil {
		t.Errorf("%s: %v\n%s", bin, err, out)
	}
	if err := cli.Wait(); err != nil {
		t.Fatalf("surftrace: %v\n%s", err, stderr.String())
	}
	lines := parseTrace(t, stdout.String())
	if got := fieldsOf(lines, "P0"); !reflect.DeepEqual(got, []string{"a=1", "a=2"}) {
		t.Errorf("P0 printed %q, want the command's a=1 and a=2 only\n%s", got, stdout.String())
	}
	for _, l := range lines {
		if l.Pid == other.Process.Pid || l.Pid != lines[0].Pid {
			t.Errorf("pid %d, want the command's alone (other process %d): %s", l.Pid, other.Process.Pid, l.Raw)
		}
	}
}

// TestUsdtByPID: usdt::PROVIDER:NAME with -p finds the probe in the
// process's executable, and its semaphore is counted up in that process
// (surf:withsem fires only then). Built with -O2, surf:global's arguments
// are a %rip-relative global (in a PIE: bpftrace 0.17 reads garbage
// there) and an indexed address.
func TestUsdtByPID(t *testing.T) {
	ktest.RequireUprobes(t)
	ktest.RequireFeature(t, ktest.Ringbuf)
	bin := ktest.BuildProbes(t, "-O2")
	cmd := exec.Command(bin, "2", "0", "wait")
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	prog := `usdt::surf:args { printf("args %d %d %d\n", arg0, arg1, arg2); } usdt::withsem { printf("sem %d\n", arg0); }
usdt::surf:global { printf("global %d %d\n", arg0, arg1); }`
	r := runWhile(t, []string{"-p", strconv.Itoa(cmd.Process.Pid), "-e", prog}, func() {
		w.Write([]byte{1})
		w.Close()
		cmd.Wait()
	})
	if want := "args 1 100 -5\nglobal 4660 20\nsem 7\nargs 2 200 -5\nglobal 4660 30\nsem 14\n"; r.code != exitOK || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d, printed\n%s\nwant\n%s", r.code, r.stdout, want)
	}
}

// TestUaddrPIE: uaddr() of a global in a position-independent executable
// adds the load address (bpftrace 0.17 reads the file address there and
// gets zeros), in a uprobe and in a USDT probe.
func TestUaddrPIE(t *testing.T) {
	ktest.RequireUprobes(t)
	ktest.RequireFeature(t, ktest.Ringbuf)
	bin := ktest.BuildProbes(t, "-O0")
	prog := `uprobe:` + bin + `:surf_add { printf("0x%x 0x%lx\n", *uaddr("surf_global_int"), *uaddr("surf_global_long")); }
usdt:` + bin + `:surf:args { printf("0x%x\n", *uaddr("surf_global_int")); }`
	r := runWhile(t, []string{"--max-events", "2", "-e", prog}, func() {
		if out, err := exec.Command(bin, "1").CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", bin, err, out)
		}
	})
	if want := "0x1234 0x123456789\n0x1234\n"; r.code != exitOK || strings.TrimSpace(r.stdout)+"\n" != want {
		t.Errorf("exit %d, printed %q, want %q", r.code, r.stdout, want)
	}
}
