package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// watch is what ends a run besides signals and limits: the exit of -p PID
// or of -c CMD, which it starts once every probe is attached.
type watch struct {
	pid     int
	argv    []string // -c split into words, to check its program
	cmdline string

	mu     sync.Mutex
	cmd    *exec.Cmd
	cmdErr error
	exited bool
	quit   chan struct{}
	gate   *os.File // held open until start lets the spawned command exec
	// done is what start was told to call; the spawned command's exit
	// calls it once set.
	doneMu sync.Mutex
	doneFn func()
}

// done calls the function start was given, if it was.
func (w *watch) done() {
	w.doneMu.Lock()
	f := w.doneFn
	w.doneMu.Unlock()
	if f != nil {
		f()
	}
}

// shellWords quotes words for sh so that each reaches the command as it
// is.
func shellWords(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// newWatch checks -p and -c before anything is attached: the process must
// exist and the command's program must be found.
func newWatch(c *config) (*watch, error) {
	w := &watch{pid: c.pid, quit: make(chan struct{})}
	if c.pid != 0 {
		if err := unix.Kill(c.pid, 0); errors.Is(err, unix.ESRCH) {
			return nil, fmt.Errorf("-p %d: no such process", c.pid)
		}
	}
	if c.command != "" {
		w.argv, w.cmdline = strings.Fields(c.command), c.command
		if len(w.argv) == 0 {
			return nil, errors.New("-c: empty command")
		}
		if c.bpftrace {
			// bpftrace splits -c's command at spaces, with no shell:
			// quotes are part of the words.
			w.cmdline = shellWords(w.argv)
		}
		if _, err := exec.LookPath(w.argv[0]); err != nil {
			return nil, fmt.Errorf("-c %q: %w", c.command, err)
		}
	}
	return w, nil
}

// start begins watching, once every probe is attached: done is called
// when the process or the command exits.
func (w *watch) start(done func(), stdout, stderr io.Writer) error {
	w.doneMu.Lock()
	w.doneFn = done
	w.doneMu.Unlock()
	if w.pid != 0 {
		go func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-w.quit:
					return
				case <-t.C:
				}
				if err := unix.Kill(w.pid, 0); errors.Is(err, unix.ESRCH) {
					done()
					return
				}
			}
		}()
	}
	if w.argv == nil {
		return nil
	}
	if w.gate == nil {
		if _, err := w.spawn(stdout, stderr); err != nil {
			return err
		}
	}
	// Let the held command go on to its exec.
	_, err := w.gate.Write([]byte("\n"))
	w.gate.Close()
	if err != nil {
		return badInput(fmt.Errorf("-c: %w", err))
	}
	return nil
}

// spawn starts -c's command held before its exec, so that its pid (which
// exec keeps) is known while probes attach: watchpoints watch its
// addresses. start lets it go on.
func (w *watch) spawn(stdout, stderr io.Writer) (int, error) {
	gateR, gateW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer gateR.Close()
	// The shell reads quotes and redirections; it waits on fd 3 until
	// start writes a line (and exits if the pipe closes first).
	cmd := exec.Command("/bin/sh", "-c", "read -r _ <&3 || exit 125; exec 3<&-; exec "+w.cmdline)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = []*os.File{gateR}
	if err := cmd.Start(); err != nil {
		gateW.Close()
		return 0, badInput(fmt.Errorf("-c: %w", err))
	}
	w.gate = gateW
	w.mu.Lock()
	w.cmd = cmd
	w.mu.Unlock()
	go func() {
		err := cmd.Wait()
		w.mu.Lock()
		w.cmdErr, w.exited = err, true
		w.mu.Unlock()
		w.done()
	}()
	return cmd.Process.Pid, nil
}

// stop ends the watch, killing the command if it still runs.
func (w *watch) stop() {
	close(w.quit)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd != nil && !w.exited {
		w.cmd.Process.Kill()
	}
	if w.gate != nil {
		w.gate.Close()
	}
}

// status is how the command ended: its exit code, or the signal that
// killed it; ok is false when there was no command or it still runs.
func (w *watch) status() (code, signal int, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil || !w.exited {
		return 0, 0, false
	}
	ws, _ := w.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return -1, int(ws.Signal()), true
	}
	return w.cmd.ProcessState.ExitCode(), 0, true
}

// err reports how the command ended, if it did not succeed.
func (w *watch) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmdErr != nil {
		return fmt.Errorf("-c %s: %w", strings.Join(w.argv, " "), w.cmdErr)
	}
	return nil
}
