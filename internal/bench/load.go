package bench

import (
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// A load is a bounded generator of events: prepared first (so the
// programs can name its pid), then released and waited for.
type load interface {
	// pid is the process the events come from, 0 when not one process.
	pid() int
	// release runs the load to its end and returns how long it ran.
	release() (time.Duration, error)
}

// ddLoad is `dd bs=1 count=N if=/dev/zero of=/dev/null`, two syscalls per
// byte. It is started stopped at its exec (ptrace), so that its pid is
// known before a tracer starts, and released by detaching.
type ddLoad struct {
	cmd    *exec.Cmd
	stderr sink
	done   chan error
	held   chan struct{} // closed to have the child detached and run
}

// newDD starts dd stopped. The ptrace calls must come from the thread
// that started it, so one locked goroutine owns the child.
func newDD(n int) (*ddLoad, error) {
	d := &ddLoad{done: make(chan error, 1), held: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		d.cmd = exec.Command("dd", "bs=1", "count="+strconv.Itoa(n), "if=/dev/zero", "of=/dev/null")
		d.cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
		d.cmd.Stderr = &d.stderr
		if err := d.cmd.Start(); err != nil {
			started <- err
			return
		}
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(d.cmd.Process.Pid, &ws, 0, nil); err != nil || !ws.Stopped() {
			started <- fmt.Errorf("dd did not stop at exec: %v %v", err, ws)
			d.cmd.Process.Kill()
			return
		}
		started <- nil
		<-d.held
		d.done <- syscall.PtraceDetach(d.cmd.Process.Pid)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return d, nil
}

func (d *ddLoad) pid() int { return d.cmd.Process.Pid }

// ddTime is dd's own report of how long it copied.
var ddTime = regexp.MustCompile(`copied, ([0-9.e+-]+) s`)

func (d *ddLoad) release() (time.Duration, error) {
	close(d.held)
	if err := <-d.done; err != nil {
		d.cmd.Process.Kill()
		d.cmd.Wait()
		return 0, fmt.Errorf("detach dd: %w", err)
	}
	if err := d.cmd.Wait(); err != nil {
		return 0, fmt.Errorf("dd: %w", err)
	}
	m := ddTime.FindSubmatch(d.stderr.b)
	if m == nil {
		return 0, fmt.Errorf("dd printed no time: %q", d.stderr.b)
	}
	secs, err := strconv.ParseFloat(string(m[1]), 64)
	return time.Duration(secs * float64(time.Second)), err
}

// sink collects bytes.
type sink struct{ b []byte }

func (s *sink) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }

// udpLoad sends n datagrams over loopback to a socket of its own that
// never reads, bounded by n and by a timeout.
type udpLoad struct{ n int }

func (u udpLoad) pid() int { return 0 }

func (u udpLoad) release() (time.Duration, error) {
	dst, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	src, err := net.DialUDP("udp4", nil, dst.LocalAddr().(*net.UDPAddr))
	if err != nil {
		return 0, err
	}
	defer src.Close()
	payload := make([]byte, 64)
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	for i := 0; i < u.n && time.Now().Before(deadline); i++ {
		src.Write(payload) // a full receive queue drops; that is fine
	}
	return time.Since(start), nil
}
