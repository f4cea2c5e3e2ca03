package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one run of a tracer: its process, the lines it printed and the
// moments that matter.
type proc struct {
	cmd   *exec.Cmd
	start time.Time
	ready chan time.Duration // receives the time from start to ready, once
	mu    sync.Mutex
	out   []string // stdout lines
	errb  bytes.Buffer
	done  chan struct{}
	waitE error
	wall  time.Duration
}

// readyOn says when a run is attached: on a stdout line, a stderr line
// or a file appearing; "" disables each.
type readyOn struct {
	stdout, stderr, file string
}

// startProc starts argv with env added to the environment.
func startProc(argv, env []string, on readyOn) (*proc, error) {
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), ready: make(chan time.Duration, 1), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	var once sync.Once
	fire := func() { once.Do(func() { p.ready <- time.Since(p.start) }) }
	var readers sync.WaitGroup
	readers.Add(2)
	scan := func(r io.Reader, marker string, keep func(string)) {
		defer readers.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if marker != "" && strings.TrimSpace(line) == marker {
				fire()
			}
			p.mu.Lock()
			keep(line)
			p.mu.Unlock()
		}
		io.Copy(io.Discard, r)
	}
	go scan(stdout, on.stdout, func(l string) { p.out = append(p.out, l) })
	go scan(stderr, on.stderr, func(l string) { p.errb.WriteString(l + "\n") })
	go func() {
		readers.Wait()
		p.waitE = p.cmd.Wait()
		p.wall = time.Since(p.start)
		close(p.done)
	}()
	if on.file != "" {
		go func() {
			for {
				select {
				case <-p.done:
					return
				default:
				}
				if _, err := os.Stat(on.file); err == nil {
					fire()
					return
				}
				time.Sleep(500 * time.Microsecond)
			}
		}()
	}
	return p, nil
}

// waitReady waits for the ready signal; it fails when the process ends
// first or the timeout passes.
func (p *proc) waitReady(timeout time.Duration) (time.Duration, error) {
	select {
	case d := <-p.ready:
		return d, nil
	case <-p.done:
		return 0, fmt.Errorf("%s ended before it was ready: %v\n%s", p.cmd.Path, p.waitE, p.stderr())
	case <-time.After(timeout):
		p.stop(time.Second)
		return 0, fmt.Errorf("%s not ready after %v", p.cmd.Path, timeout)
	}
}

// settle waits until no stdout line came for quiet, at most limit: a
// tracer still printing what the load made is not stopped early (bpftrace
// drops what it has not printed when interrupted).
func (p *proc) settle(quiet, limit time.Duration) {
	end := time.Now().Add(limit)
	n := -1
	for time.Now().Before(end) {
		p.mu.Lock()
		m := len(p.out)
		p.mu.Unlock()
		if m == n {
			return
		}
		n = m
		time.Sleep(quiet)
	}
}

// stop sends SIGINT and waits for the process to end, killing it after
// grace.
func (p *proc) stop(grace time.Duration) {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// wait waits for the process to end by itself, at most timeout.
func (p *proc) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.waitE
	case <-time.After(timeout):
		p.stop(time.Second)
		return fmt.Errorf("%s still running after %v", p.cmd.Path, timeout)
	}
}

// usage returns the CPU time and peak RSS (bytes) of the ended process,
// from wait4's rusage.
func (p *proc) usage() (cpu time.Duration, rss int64) {
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	cpu = time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
	return cpu, ru.Maxrss * 1024
}

// stderr returns the end of what the process printed on stderr.
func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return tail(p.errb.String())
}

// lines returns the stdout lines so far.
func (p *proc) lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.out...)
}

// progIDs returns the ids of the BPF programs pid holds open (a program
// fd or a link fd), from its fdinfo, each once.
func progIDs(pid int) ([]uint32, error) {
	dir := fmt.Sprintf("/proc/%d/fdinfo", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []uint32
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "prog_id:"); ok {
				id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
				if err == nil && !slices.Contains(ids, uint32(id)) {
					ids = append(ids, uint32(id))
				}
			}
		}
	}
	return ids, nil
}

// tail returns the last lines of s, for error messages.
func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}
