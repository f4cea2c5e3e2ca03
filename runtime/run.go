package runtime

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/runtime/render"
)

// maxWarnings bounds how many malformed records are described one by one.
const maxWarnings = 10

// pollInterval bounds how long a record waits in the ring buffer when its
// program did not wake the reader: programs wake it once per batch (see
// compiler/internal/codegen/ringbuf.go), so the reader also looks this often.
const pollInterval = 10 * time.Millisecond

// drainBudget bounds how long Run runs the system() commands of the
// records left in the ring at exit: past it, the rest are not run (a
// warning counts them), so that a busy system() probe cannot hold the
// exit, as bpftrace exits promptly on Ctrl-C. Other records print at
// about a million a second and are all printed.
const drainBudget = 2 * time.Second

// outputBuffer is the size of the buffer in front of Output.W.
const outputBuffer = 64 << 10

// Run prints records from the ring buffer until ctx is done, a record
// calls exit(), or Options.MaxEvents records were printed. It then detaches
// the probes (so that a busy probe cannot keep the ring from draining),
// runs the END probes, prints what is still buffered, reports lost records per
// probe, and prints the script maps as bpftrace does at exit. Call Attach
// first; Run does not close the Tracer.
func (t *Tracer) Run(ctx context.Context, out Output) error {
	if t.maps == nil {
		return errors.New("run: the tracer is closed")
	}
	p, err := t.newPrinter(out)
	if err != nil {
		return err
	}
	rd, err := ringbuf.NewReader(t.maps.Maps[spec.EventsMap])
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	defer rd.Close()
	stop := context.AfterFunc(ctx, func() { rd.Flush() })
	defer stop()

	var errs []error
	errs = append(errs, t.readUntilExit(ctx, rd, p))
	errs = append(errs, t.detach())
	for _, probe := range t.prog.Probes {
		if probe.Kind == spec.AttachEnd {
			errs = append(errs, t.runOnce(probe))
		}
	}
	rd.SetDeadline(time.Now())
	errs = append(errs, t.drain(rd, p))
	errs = append(errs, t.printLost(p))
	errs = append(errs, p.exitMaps())
	errs = append(errs, p.flush())
	if t.syms.Err() != nil {
		p.warn("addresses shown unsymbolized: %v", t.syms.Err())
	}
	return errors.Join(errs...)
}

// newPrinter prepares a printer for out.
func (t *Tracer) newPrinter(out Output) (*printer, error) {
	var mono unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono); err != nil {
		return nil, fmt.Errorf("clock_gettime: %w", err)
	}
	r := &renderer{syms: t.syms, wallNS: time.Now().UnixNano() - mono.Nano()}
	if t.maps.Maps[spec.StacksMap] != nil {
		r.stacks = func(id int64) ([]uint64, error) {
			depth := int(id>>spec.StackDepthShift) & 0xff
			stacks := t.maps.Maps[spec.StackMap(depth)]
			if stacks == nil {
				return nil, fmt.Errorf("no map %s for stack %d", spec.StackMap(depth), id)
			}
			b, err := stacks.LookupBytes(uint32(id))
			if err != nil || b == nil {
				return nil, fmt.Errorf("stack %d not found", id)
			}
			addrs := make([]uint64, len(b)/8)
			for i := range addrs {
				addrs[i] = render.Uint(b[8*i : 8*i+8])
			}
			return addrs, nil
		}
	}
	return &printer{
		out:       out,
		w:         bufio.NewWriterSize(out.W, outputBuffer),
		r:         r,
		prog:      t.prog,
		maps:      t.maps.Maps,
		wallNS:    time.Now().UnixNano() - mono.Nano(),
		maxEvents: t.opts.MaxEvents,
	}, nil
}

// readUntilExit prints records until ctx is done (the records still in
// the ring are left to drain) or a record ends the run. Lines are written out whenever the ring buffer
// is empty, before the reader sleeps.
func (t *Tracer) readUntilExit(ctx context.Context, rd *ringbuf.Reader, p *printer) error {
	var raw ringbuf.Record
	var rec record
	// Never wait without a deadline: records mostly come without a
	// wakeup, and epoll reports the ring only after a wakeup (or if it
	// held data when the reader was created), so records that arrive
	// between NewReader and the first check below would otherwise wait
	// for the next wakeup, maybe forever.
	rd.SetDeadline(time.Now().Add(pollInterval))
	for {
		select {
		case <-p.out.Dump:
			if err := p.dumpMaps(); err != nil {
				return err
			}
		default:
		}
		if rd.AvailableBytes() == 0 {
			if err := p.flush(); err != nil {
				return err
			}
			rd.SetDeadline(time.Now().Add(pollInterval))
		}
		err := rd.ReadInto(&raw)
		if errors.Is(err, ringbuf.ErrFlushed) {
			return nil
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		exit, err := t.handle(p, raw.RawSample, &rec)
		// Once stopped (Ctrl-C, -c's command ended), the records still
		// in the ring are drain's, within its budget.
		if err != nil || exit || ctx.Err() != nil {
			return err
		}
	}
}

// drain prints the records still in the ring buffer; the reader's
// deadline is already set.
func (t *Tracer) drain(rd *ringbuf.Reader, p *printer) error {
	var raw ringbuf.Record
	var rec record
	deadline := time.Now().Add(drainBudget)
	for {
		p.skipSystem = time.Now().After(deadline)
		err := rd.ReadInto(&raw)
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, ringbuf.ErrFlushed) {
			break
		}
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if _, err := t.handle(p, raw.RawSample, &rec); err != nil {
			return err
		}
	}
	if p.skippedSystem > 0 {
		p.warn("did not run %d system() commands left at exit (after %v)", p.skippedSystem, drainBudget)
	}
	if p.malformed > maxWarnings {
		p.warn("skipped %d malformed records in all", p.malformed)
	}
	return nil
}

// handle decodes raw into rec and prints it. Malformed records are
// reported on Output.Warn and skipped.
func (t *Tracer) handle(p *printer, raw []byte, rec *record) (exit bool, err error) {
	if err := decodeRecord(raw, t.prog.Events, rec); err != nil {
		p.malformed++
		if p.malformed <= maxWarnings {
			p.warn("skipping record: %v", err)
		}
		return false, nil
	}
	t.records[rec.event.Probe].Add(1)
	if k := rec.event.Kind; k == spec.EventWatch || k == spec.EventUnwatch {
		t.watch(p, rec)
		return false, nil
	}
	return p.record(rec)
}

// printLost reports, per probe, the records its program could not put in
// the ring buffer.
func (t *Tracer) printLost(p *printer) error {
	lost, err := t.Lost()
	if err != nil {
		return err
	}
	for i, probe := range t.prog.Probes {
		n := lost[i]
		if n == 0 {
			continue
		}
		if p.out.Format == JSON {
			err = p.write(fmt.Sprintf(`{"type": "lost_events", "data": {"events": %d, "probe": %s}}`+"\n", n, jsonString(probe.Name)))
		} else {
			err = p.write(fmt.Sprintf("Lost %d events in %s\n", n, probe.Name))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
