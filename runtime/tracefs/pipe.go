package tracefs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/surftrace/surftrace/spec"

	"golang.org/x/sys/unix"
)

// pollInterval bounds how long a read waits before it looks at the
// context again. trace_pipe's poll wakes readers late on some kernels
// (buffer_percent), so the reader never relies on it alone.
const pollInterval = 100 // milliseconds

// drainTime bounds the reading of what is still buffered once a run ends.
const drainTime = 300 * time.Millisecond

// pipe is an instance's trace_pipe, opened non-blocking.
type pipe struct{ fd int }

func openPipe(name string) (*pipe, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &pipe{fd: fd}, nil
}

func (p *pipe) close() { unix.Close(p.fd) }

// read reads what is there, waiting up to pollInterval; it returns no
// bytes and no error when nothing came.
func (p *pipe) read(buf []byte) (int, error) {
	n, err := unix.Read(p.fd, buf)
	if errors.Is(err, unix.EAGAIN) {
		fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, pollInterval); err != nil && !errors.Is(err, unix.EINTR) {
			return 0, err
		}
		return 0, nil
	}
	return max(n, 0), err
}

// stream reads trace_pipe until ctx is done, printing each event of the
// run's probes, and the stack lines under it, to out. Then it drains what
// the kernel had already buffered, so the events of a -c command that just
// exited are not lost, as the bpf backend drains its ring buffer.
func (r *run) stream(ctx context.Context, p *pipe, out io.Writer) error {
	buf := make([]byte, 64<<10)
	var pending []byte
	var drainUntil time.Time // set once ctx is done; a busy event never ends the drain otherwise
	for {
		if drainUntil.IsZero() && ctx.Err() != nil {
			drainUntil = time.Now().Add(drainTime)
		}
		n, err := p.read(buf)
		if err != nil {
			return fmt.Errorf("read trace_pipe: %w", err)
		}
		if !drainUntil.IsZero() && (n == 0 || time.Now().After(drainUntil)) {
			return nil
		}
		pending = append(pending, buf[:n]...)
		for {
			i := bytes.IndexByte(pending, '\n')
			if i < 0 {
				break
			}
			line := string(pending[:i])
			pending = pending[i+1:]
			if err := r.printLine(line, out); err != nil {
				return err
			}
		}
	}
}

// printLine prints one trace_pipe line: an event of ours in the bpf
// backend's format, a stack frame as the bpf backend prints it
// (" => SYMBOL+0xOFF [module]"), anything else not at all.
func (r *run) printLine(line string, out io.Writer) error {
	ev, ok, err := parseLine(line, r.probes)
	switch {
	case err != nil:
		return err
	case ok:
		if r.fields && ev.Probe.Kind == spec.AttachTracepoint {
			ev.Values = fieldsValues(ev.Probe, ev.Body)
		}
		_, err = fmt.Fprintln(out, ev.Format())
	default:
		if frame, ok := stackFrame(line); ok {
			_, err = fmt.Fprintln(out, " => "+frame)
		}
	}
	return err
}

// stackFrame returns the frame of a stack line " => SYMBOL+0xOFF/0xSIZE
// [module]" (with the sym-offset option set) without the size.
func stackFrame(line string) (string, bool) {
	frame, ok := strings.CutPrefix(strings.TrimSpace(line), "=> ")
	return sizeSuffix.ReplaceAllString(frame, "$1"), ok
}
