package difftest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// notifyAttached is the environment variable with which bpftrace's own
// runtime tests learn that every probe is attached: bpftrace then prints
// its name on stderr.
const notifyAttached = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

// runBpftrace runs c under the bpftrace binary at bin with a fresh trigger
// child, releasing the child once bpftrace reports its probes attached.
// It returns bpftrace's stdout; stderr goes into errors.
func runBpftrace(bin, dir string, c *testCase) (string, error) {
	file := filepath.Join(dir, c.Name+".bt")
	if err := os.WriteFile(file, []byte(c.Prog), 0o644); err != nil {
		return "", err
	}
	ch, err := startChild(c)
	if err != nil {
		return "", err
	}
	defer ch.kill()
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	args := append(c.source(file), c.argv(ch.Pid)...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), notifyAttached+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	attached := make(chan struct{})
	var stderr bytes.Buffer
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		sc := bufio.NewScanner(errPipe)
		seen := false
		for sc.Scan() {
			if !seen && strings.TrimSpace(sc.Text()) == notifyAttached {
				seen = true
				close(attached)
				continue
			}
			stderr.WriteString(sc.Text() + "\n")
		}
		if !seen {
			close(attached)
		}
	}()
	select {
	case <-attached:
	case <-ctx.Done():
	}
	ch.release()
	<-stderrDone
	err = cmd.Wait()
	trig := ch.wait(5 * time.Second)
	if ctx.Err() != nil {
		return stdout.String(), fmt.Errorf("bpftrace did not end within %v (killed); stderr:\n%s", c.Timeout, stderr.String())
	}
	if err != nil {
		return stdout.String(), fmt.Errorf("bpftrace: %v; stderr:\n%s", err, stderr.String())
	}
	tr, err := traceSection(c, ch.tids)
	if err != nil {
		return stdout.String(), err
	}
	return withTrace(stdout.String(), tr), trig
}
