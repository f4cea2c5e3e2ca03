package difftest

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// A child is a started trigger process waiting for its go byte.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{} // closed when the child has been reaped
	err   error         // its exit error, valid once done is closed
	Pid   int
	// tids are its threads' ids when it was released: the trigger's
	// thread is among them.
	tids map[string]bool
}

// startChild re-executes this test binary as the trigger child for c.
// The child waits until release is called; its pid is the program's $1.
func startChild(c *testCase) (*child, error) {
	spec := c.Trigger
	if spec == "" {
		spec = "none"
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// No asynchronous preemption (its tgkill calls getpid) and one P, so
	// the Go runtime adds no syscalls of its own to the trigger's.
	cmd.Env = append(os.Environ(), childEnv+"="+spec, "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=1", "GOGC=off")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := &child{cmd: cmd, stdin: stdin, done: make(chan struct{}), Pid: cmd.Process.Pid}
	go func() { ch.err = cmd.Wait(); close(ch.done) }()
	return ch, nil
}

// release lets the child run its trigger.
func (ch *child) release() {
	ch.tids = threads(ch.Pid)
	ch.stdin.Write([]byte{1})
	ch.stdin.Close()
}

// wait waits up to d for the child to end, then kills it; it reports a
// trigger that failed or overran.
func (ch *child) wait(d time.Duration) error {
	select {
	case <-ch.done:
		if ch.err != nil {
			return fmt.Errorf("trigger child: %v", ch.err)
		}
		return nil
	case <-time.After(d):
		ch.kill()
		return fmt.Errorf("trigger child still running after %v; killed", d)
	}
}

// kill ends the child (and anything it started) if it still runs, and
// reaps it.
func (ch *child) kill() {
	ch.stdin.Close()
	syscall.Kill(-ch.Pid, syscall.SIGKILL)
	select {
	case <-ch.done:
	case <-time.After(5 * time.Second):
	}
}
