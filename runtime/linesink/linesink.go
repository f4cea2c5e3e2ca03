// Package linesink sends lines of text (surftrace's --format json output)
// to a log collector: a file, stdout, or a TCP or UDP address (--sink).
// Writes never block the event loop: lines wait in a bounded queue, and a
// line that finds the queue full, or cannot be delivered, is dropped and
// counted.
package linesink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options.
const (
	DefaultQueue = 4096            // lines
	DefaultDrain = 5 * time.Second // Close's wait for queued lines
)

// Options tune a Sink; the zero value is the defaults.
type Options struct {
	// Queue is how many lines may wait for the destination.
	Queue int
	// Drain is how long Close waits for queued lines to be sent.
	Drain time.Duration
	// Stdout is where "-" writes; nil means os.Stdout.
	Stdout io.Writer
	// Warn receives one line per lost connection; nil discards them.
	Warn io.Writer
}

// Sink is an io.Writer that queues whole lines for a destination.
type Sink struct {
	dest    string
	out     destination
	queue   chan []byte
	mu      sync.Mutex // partial, closed
	partial []byte     // the start of a line not yet ended
	closed  bool
	cancel  context.CancelFunc
	ctx     context.Context
	done    chan struct{}
	drain   time.Duration
	sent    atomic.Uint64
	dropped atomic.Uint64
}

// destination writes one line (with its newline) to where it goes.
type destination interface {
	// send delivers a line, retrying as the destination allows, until
	// ctx ends; an error means the line is lost.
	send(ctx context.Context, line []byte) error
	close() error
}

// Open starts a sink to dest: "-" for stdout, tcp://HOST:PORT,
// udp://HOST:PORT, or a file path (created, appended to). A TCP
// destination that is down is retried in the background; lines queue,
// then drop, meanwhile.
func Open(dest string, opts Options) (*Sink, error) {
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	if opts.Drain <= 0 {
		opts.Drain = DefaultDrain
	}
	if opts.Warn == nil {
		opts.Warn = io.Discard
	}
	out, err := newDestination(dest, opts)
	if err != nil {
		return nil, fmt.Errorf("--sink %s: %w", dest, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sink{dest: dest, out: out, queue: make(chan []byte, opts.Queue), ctx: ctx, cancel: cancel,
		done: make(chan struct{}), drain: opts.Drain}
	go s.run()
	return s, nil
}

// newDestination parses dest.
func newDestination(dest string, opts Options) (destination, error) {
	switch {
	case dest == "":
		return nil, errors.New("empty destination")
	case dest == "-":
		w := opts.Stdout
		if w == nil {
			w = os.Stdout
		}
		return &writerDest{w: w}, nil
	case strings.HasPrefix(dest, "tcp://"):
		return newTCP(strings.TrimPrefix(dest, "tcp://"), opts.Warn)
	case strings.HasPrefix(dest, "udp://"):
		return newUDP(strings.TrimPrefix(dest, "udp://"))
	case strings.Contains(dest, "://"):
		return nil, errors.New("want -, tcp://HOST:PORT, udp://HOST:PORT or a file path")
	}
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &writerDest{w: f, c: f}, nil
}

// Write queues every complete line of p; the rest waits for its newline.
// It never blocks on the destination and never fails: a line that finds
// the queue full is counted in Dropped.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("write to a closed sink")
	}
	rest := p
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.partial = append(s.partial, rest...)
			return len(p), nil
		}
		line := append(s.partial, rest[:i+1]...)
		s.partial = nil
		rest = rest[i+1:]
		select {
		case s.queue <- line:
		default:
			s.dropped.Add(1)
		}
	}
}

// run sends queued lines until the queue is closed and empty, or Close's
// drain time ran out.
func (s *Sink) run() {
	defer close(s.done)
	for line := range s.queue {
		if s.ctx.Err() != nil {
			s.dropped.Add(1)
			continue
		}
		if err := s.out.send(s.ctx, line); err != nil {
			s.dropped.Add(1)
			continue
		}
		s.sent.Add(1)
	}
}

// Sent is the number of lines handed to the destination so far.
func (s *Sink) Sent() uint64 { return s.sent.Load() }

// Dropped is the number of lines lost so far: the queue was full, the
// destination refused them, or Close's drain time ran out.
func (s *Sink) Dropped() uint64 { return s.dropped.Load() }

// Close sends what is queued (a line without its newline gets one), for
// at most the drain time, drops the rest, and closes the destination.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if len(s.partial) > 0 {
		select {
		case s.queue <- append(s.partial, '\n'):
		default:
			s.dropped.Add(1)
		}
	}
	close(s.queue)
	s.mu.Unlock()
	t := time.AfterFunc(s.drain, s.cancel)
	<-s.done
	t.Stop()
	s.cancel()
	return s.out.close()
}

// Report is the line Close's caller prints when lines were lost, or "".
func (s *Sink) Report() string {
	n := s.Dropped()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("--sink %s: dropped %d of %d lines (queue full, destination down or refusing)", s.dest, n, n+s.Sent())
}

// writerDest writes to a file or stdout.
type writerDest struct {
	w io.Writer
	c io.Closer // nil for stdout
}

func (d *writerDest) send(_ context.Context, line []byte) error {
	_, err := d.w.Write(line)
	return err
}

func (d *writerDest) close() error {
	if d.c == nil {
		return nil
	}
	return d.c.Close()
}
