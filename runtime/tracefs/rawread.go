package tracefs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// pollInterval bounds how long a round waits for data before it reads
// every CPU's buffer anyway and looks at the context again, so
// cancellation never waits for an event and a late wakeup (poll on
// trace_pipe_raw waits for buffer_percent, which the runner sets to 0)
// delays output by no more.
const pollInterval = 100 // milliseconds

// drainTime bounds the reading of what is still buffered once a run ends.
const drainTime = 300 * time.Millisecond

// maxPagesPerRound bounds the pages read from one CPU in one round, so a
// busy CPU cannot starve the others' output.
const maxPagesPerRound = 64

// rawReader reads the instance's per-CPU binary buffers,
// per_cpu/cpuN/trace_pipe_raw, one page per read, non-blocking.
type rawReader struct {
	fds  []int // by CPU; -1 for a CPU without a buffer
	page []byte
	dec  *decoder
	// out collects the lines of one round; lines indexes them, so the
	// round prints in time order across CPUs.
	out   []byte
	lines []rawLine
	// lost counts the events the kernel dropped (from the pages' missed
	// flags); lostUncounted says some page had the flag without a count.
	lost          uint64
	lostUncounted bool
	// Bad counts records too short for their event's format.
	Bad    int
	sorted []byte // the round's lines in time order
}

// rawLine is one event's text (with its stack) in rawReader.out.
type rawLine struct {
	ts         uint64
	cpu        int
	start, end int
}

// openRaw opens trace_pipe_raw of every CPU the instance has.
func (r *run) openRaw(dec *decoder) (*rawReader, error) {
	rr := &rawReader{dec: dec, page: make([]byte, dec.ring.pageSize())}
	dirs, err := os.ReadDir(r.fs.path(r.inst, "per_cpu"))
	if err != nil {
		return nil, fmt.Errorf("list the instance's CPU buffers: %w", err)
	}
	for _, d := range dirs {
		cpu, err := strconv.Atoi(strings.TrimPrefix(d.Name(), "cpu"))
		if err != nil || !strings.HasPrefix(d.Name(), "cpu") {
			continue
		}
		for len(rr.fds) <= cpu {
			rr.fds = append(rr.fds, -1)
		}
		name := r.fs.path(r.inst, "per_cpu", d.Name(), "trace_pipe_raw")
		fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			rr.close()
			return nil, fmt.Errorf("open %s: %w", path.Join(r.inst, "per_cpu", d.Name(), "trace_pipe_raw"), err)
		}
		rr.fds[cpu] = fd
	}
	if len(rr.fds) == 0 {
		return nil, fmt.Errorf("the instance has no CPU buffers")
	}
	return rr, nil
}

func (rr *rawReader) close() {
	for _, fd := range rr.fds {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// wait waits until some CPU's buffer is readable or pollInterval passes.
func (rr *rawReader) wait() error {
	fds := make([]unix.PollFd, 0, len(rr.fds))
	for _, fd := range rr.fds {
		if fd >= 0 {
			fds = append(fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
		}
	}
	if _, err := unix.Poll(fds, pollInterval); err != nil && !errors.Is(err, unix.EINTR) {
		return fmt.Errorf("poll trace_pipe_raw: %w", err)
	}
	return nil
}

// round reads what every CPU's buffer holds now (up to maxPagesPerRound
// pages each), and writes the events to w in time order. It returns how
// many pages it read, and whether some CPU had more.
func (rr *rawReader) round(w io.Writer) (pages int, more bool, err error) {
	for cpu, fd := range rr.fds {
		for i := 0; fd >= 0; i++ {
			if i == maxPagesPerRound {
				more = true
				break
			}
			n, err := unix.Read(fd, rr.page)
			if errors.Is(err, unix.EAGAIN) || (err == nil && n == 0) {
				break
			}
			if errors.Is(err, unix.ENODEV) {
				// A possible CPU that is offline has no buffer (and its
				// poll fails at once): read it no more.
				unix.Close(fd)
				rr.fds[cpu], fd = -1, -1
				break
			}
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				return pages, more, fmt.Errorf("read cpu%d/trace_pipe_raw: %w", cpu, err)
			}
			pages++
			if err := rr.decode(cpu, rr.page[:n]); err != nil {
				return pages, more, fmt.Errorf("cpu%d/trace_pipe_raw: %w", cpu, err)
			}
		}
	}
	return pages, more, rr.flush(w)
}

// flush writes the lines decoded since the last flush to w, in time order
// across CPUs (a CPU's own are in order already), and forgets them.
func (rr *rawReader) flush(w io.Writer) error {
	if len(rr.lines) == 0 {
		return nil
	}
	slices.SortStableFunc(rr.lines, func(a, b rawLine) int { return cmp.Compare(a.ts, b.ts) })
	rr.sorted = rr.sorted[:0]
	for _, l := range rr.lines {
		rr.sorted = append(rr.sorted, rr.out[l.start:l.end]...)
	}
	rr.out, rr.lines = rr.out[:0], rr.lines[:0]
	_, err := w.Write(rr.sorted)
	return err
}

// decode appends the lines of one page read on cpu. A stack record
// extends the line before it.
func (rr *rawReader) decode(cpu int, page []byte) error {
	info, err := rr.dec.ring.decodePage(page, func(ts uint64, rec []byte) {
		start := len(rr.out)
		var ok bool
		rr.out, ok = rr.dec.record(rr.out, cpu, ts, rec)
		if !ok {
			rr.Bad++
			rr.out = rr.out[:start] // no part of a line
		}
		switch {
		case len(rr.out) == start:
		case rr.dec.isStack(rec) && len(rr.lines) > 0 && rr.lines[len(rr.lines)-1].cpu == cpu:
			rr.lines[len(rr.lines)-1].end = len(rr.out)
		default:
			rr.lines = append(rr.lines, rawLine{ts: ts, cpu: cpu, start: start, end: len(rr.out)})
		}
	})
	if info.Missed {
		rr.lost += info.Lost
		rr.lostUncounted = rr.lostUncounted || info.Lost == 0
	}
	return err
}

// stream reads the buffers until ctx is done, printing each event of the
// run's probes, and the stack lines under it, to out. Then it drains what
// the kernel had already buffered, so the events of a -c command that just
// exited are not lost, as the bpf backend drains its ring buffer.
func (r *run) stream(ctx context.Context, rr *rawReader, out io.Writer) error {
	var drainUntil time.Time // set once ctx is done; a busy event never ends the drain otherwise
	more := false
	for {
		if drainUntil.IsZero() && ctx.Err() != nil {
			drainUntil = time.Now().Add(drainTime)
		}
		if drainUntil.IsZero() && !more {
			if err := rr.wait(); err != nil {
				return err
			}
		}
		n, m, err := rr.round(out)
		if err != nil {
			return err
		}
		more = m
		if !drainUntil.IsZero() && (n == 0 || time.Now().After(drainUntil)) {
			return nil
		}
	}
}

// lostText reports what the kernel dropped, as the bpf backend reports the
// records its programs could not put in the ring buffer: "Lost N events
// in PROBE". A page read after a loss says so, with the count when the
// page had room for it; the instance's per-CPU stats count every event
// overwritten or dropped, so N is the larger of the two. ftrace counts per
// CPU buffer, not per event, so a run with several printing probes names
// them all.
func (rr *rawReader) lostText(stats uint64, names []string) string {
	n := max(rr.lost, stats)
	who := strings.Join(names, ",")
	switch {
	case n > 0:
		return fmt.Sprintf("Lost %d events in %s\n", n, who)
	case rr.lostUncounted:
		return fmt.Sprintf("Lost events in %s (ftrace did not count them)\n", who)
	}
	return ""
}

// statsLost sums what the instance's per_cpu/cpuN/stats files count as
// lost: events overwritten before they were read ("overrun", "commit
// overrun") and events dropped ("dropped events").
func (r *run) statsLost() (uint64, error) {
	dirs, err := os.ReadDir(r.fs.path(r.inst, "per_cpu"))
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, d := range dirs {
		text, err := r.fs.read(path.Join(r.inst, "per_cpu", d.Name(), "stats"))
		if err != nil {
			return 0, err
		}
		n += lostInStats(text)
	}
	return n, nil
}

// lostInStats reads the lost counts of one stats file.
func lostInStats(text string) uint64 {
	var n uint64
	for _, l := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch k {
		case "overrun", "commit overrun", "dropped events":
			c, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			n += c
		}
	}
	return n
}
