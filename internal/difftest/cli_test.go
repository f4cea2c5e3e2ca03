package difftest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// cliEnv names the environment variable that selects how surftrace runs:
// "lib" forces the library pipeline; a path runs that prebuilt binary.
// Unset, the suite builds ./cmd/surftrace once per test process on the
// host and uses the library pipeline in the VM, where building under TCG
// is too slow.
const cliEnv = "DIFFTEST_SURFTRACE"

var (
	cliOnce sync.Once
	cliDir  string // holds the built binary for the whole test process
	cliPath string
	cliErr  error
)

// surftraceCLI returns the surftrace binary to run, building it on first
// use into a directory that outlives every test (removeCLI removes it),
// or "" to use the library pipeline.
func surftraceCLI(inVM bool) (string, error) {
	cliOnce.Do(func() {
		switch v := os.Getenv(cliEnv); {
		case v == "lib" || (v == "" && inVM):
		case v != "":
			cliPath = v
		default:
			if cliDir, cliErr = os.MkdirTemp("", "difftest-cli-"); cliErr != nil {
				return
			}
			cliPath = filepath.Join(cliDir, "surftrace")
			cmd := exec.Command(goTool(), "build", "-o", cliPath, "github.com/surftrace/surftrace/cmd/surftrace")
			if out, err := cmd.CombinedOutput(); err != nil {
				cliErr = fmt.Errorf("go build ./cmd/surftrace: %v\n%s", err, out)
			}
		}
	})
	return cliPath, cliErr
}

// removeCLI removes the binary surftraceCLI built, if any.
func removeCLI() {
	if cliDir != "" {
		os.RemoveAll(cliDir)
	}
}

// goTool returns the go command the Makefile exports, or "go".
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

// runCLI runs c as a user would: "surftrace --ready-file F NAME.st PID
// ARGS...", the way "bpftrace NAME.bt PID ARGS..." runs (or with "-e
// PROGRAM" for the file). The trigger child
// is released once the ready file exists. It returns surftrace's stdout.
func runCLI(bin, dir string, c *testCase) (string, error) {
	file := filepath.Join(dir, c.Name+".st")
	ready := filepath.Join(dir, c.Name+".ready")
	os.Remove(ready)
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
	args := append(append([]string{"--ready-file", ready}, c.source(file)...), c.argv(ch.Pid)...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var werr error
	for waiting := true; waiting; {
		select {
		case werr = <-exited:
			exited = nil
			waiting = false
		case <-time.After(10 * time.Millisecond):
			_, err := os.Stat(ready)
			waiting = err != nil && ctx.Err() == nil
		}
	}
	ch.release()
	if exited != nil {
		werr = <-exited
	}
	trig := ch.wait(5 * time.Second)
	switch {
	case ctx.Err() != nil:
		return stdout.String(), fmt.Errorf("surftrace did not end within %v (killed); stderr: %s", c.Timeout, stderr.String())
	case werr != nil:
		msg := strings.ReplaceAll(strings.TrimSpace(stderr.String()), dir+"/", "")
		return stdout.String(), fmt.Errorf("surftrace: %v: %s", werr, msg)
	case stderr.Len() > 0:
		return stdout.String(), fmt.Errorf("surftrace wrote to stderr: %s", firstLine(stderr.String()))
	}
	tr, err := traceSection(c, ch.tids)
	if err != nil {
		return stdout.String(), err
	}
	return withTrace(stdout.String(), tr), trig
}
