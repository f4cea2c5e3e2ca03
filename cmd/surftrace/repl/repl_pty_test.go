package repl

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/surftrace/surftrace/internal/ktest"
)

// childEnv makes the test binary run the REPL on its terminal instead of
// the tests: the pty test's small main.
const childEnv = "SURFTRACE_REPL_CHILD"

func TestMain(m *testing.M) {
	if hist, ok := os.LookupEnv(childEnv); ok {
		err := Run(context.Background(), Config{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, HistoryFile: hist})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// term is the REPL child on a pty and everything it printed.
type term struct {
	t    *testing.T
	pty  *os.File
	mu   sync.Mutex
	buf  bytes.Buffer
	seen int // buf offset after the last expectation met
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.pty.WriteString(s); err != nil {
		tm.t.Fatalf("write to pty: %v", err)
	}
}

// expect waits until the output after the last match matches re, while
// poke (if any) runs between polls.
func (tm *term) expect(re string, poke func()) string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		rest := tm.buf.String()[tm.seen:]
		loc := rx.FindStringIndex(rest)
		if loc != nil {
			tm.seen += loc[1]
			tm.mu.Unlock()
			return rest[loc[0]:loc[1]]
		}
		tm.mu.Unlock()
		if poke != nil {
			poke()
		}
		time.Sleep(50 * time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.t.Fatalf("no %q in the terminal after 15s; it shows:\n%s", re, tm.buf.String()[tm.seen:])
	return ""
}

// TestTerminal drives the REPL through a real terminal: completes a
// function and a struct member, attaches a tracepoint and sees its
// events, lists it, shows its eBPF, detaches it, and leaves with Ctrl-D.
func TestTerminal(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints)
	hist := filepath.Join(t.TempDir(), "history")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+hist)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tm := &term{t: t, pty: f}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			tm.mu.Lock()
			tm.buf.Write(b[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if t.Failed() {
			cmd.Process.Kill()
		}
	}()

	tm.expect(`surftrace> `, nil)
	// A function name: Tab completes it, Ctrl-C drops the entry.
	tm.send("p tcp_v4_conne\t")
	tm.expect(`surftrace> p tcp_v4_connect`, nil)
	tm.send("\x03")
	tm.expect(`\^C`, nil)
	// A member of the sk_buff that ip_output's third argument is.
	tm.send("p ip_output x=%2->prot\t")
	tm.expect(`x=%2->protocol`, nil)
	tm.send("\x03")
	tm.expect(`\^C`, nil)
	// A tracepoint, completed too, attaches at once; its events print.
	tm.send("e syscalls/sys_enter_getpp\t")
	tm.expect(`sys_enter_getppid`, nil)
	tm.send("\r")
	tm.expect(`attached 1: e1 \(syscalls:sys_enter_getppid\)`, nil)
	line := tm.expect(`-\d+ +\[\d+\] \d+\.\d+: e1: \(syscalls:sys_enter_getppid\)`, func() { syscall.Getppid() })
	t.Logf("event: %s", line)
	// Ctrl-C at an empty prompt silences the burst until the next entry.
	tm.send("\x03")
	tm.expect(`events silenced until the next entry`, nil)
	for range 3 {
		syscall.Getppid()
	}
	time.Sleep(300 * time.Millisecond)
	tm.send(".list\r")
	tm.expect(`\(\d+ event writes were silenced\)`, nil)
	tm.expect(`1\te1 \(syscalls:sys_enter_getppid\)\te syscalls/sys_enter_getppid`, nil)
	tm.send(".asm 1\r")
	tm.expect(`e1: tracepoint syscalls:sys_enter_getppid\r?\n`, nil)
	tm.expect(`Call FnRingbufOutput`, nil)
	tm.send(".detach 1\r")
	tm.expect(`detached 1`, nil)
	tm.send(".list\r")
	tm.expect(`no probes attached`, nil)
	tm.send("\x04")
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("repl exited: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("repl did not leave on Ctrl-D")
	}
	h, err := os.ReadFile(hist)
	if err != nil || !strings.Contains(string(h), "e syscalls/sys_enter_getppid") {
		t.Errorf("history file: %q, %v", h, err)
	}
	tm.mu.Lock()
	t.Logf("terminal:\n%s", tm.buf.String())
	tm.mu.Unlock()
}
