package runtime

import (
	"errors"
	"fmt"

	"github.com/surftrace/surftrace/runtime/render"
	"github.com/surftrace/surftrace/spec"
)

// MapRow is one element of a script map as it is now: its per-CPU values
// merged and, for hist and lhist, its buckets gathered under its key.
type MapRow struct {
	// Key holds each key field as text output prints it, except that an
	// enum key (spec.Field.Enum) shows its name: NO_SOCKET, not 3.
	Key []string
	// Value is the count, sum, min, max or integer scalar; avg's average.
	Value int64
	// Count and Total are avg's and stats' number of values and sum.
	Count, Total int64
	// Buckets are hist's and lhist's counts by bucket index (see
	// spec.MapKind for the bounds).
	Buckets []uint64
}

// errClosed is returned by the readers of a closed Tracer.
var errClosed = errors.New("the tracer is closed")

// ReadMap reads the script map info describes, straight from the kernel.
// It may run while Run runs (a metrics scrape), not while Close does.
func (t *Tracer) ReadMap(info *spec.MapInfo) ([]MapRow, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.maps == nil {
		return nil, errClosed
	}
	m := t.maps.Maps[info.Name]
	if m == nil {
		return nil, fmt.Errorf("no map %s", info.Name)
	}
	entries, err := readMap(m)
	if err != nil {
		return nil, err
	}
	r := &renderer{syms: t.syms}
	rows := buildRows(info, entries, r)
	out := make([]MapRow, len(rows))
	for i, row := range rows {
		out[i] = MapRow{Key: r.labelParts(info, row.key), Value: row.num, Count: row.count, Total: row.total, Buckets: row.buckets}
	}
	return out, nil
}

// labelParts renders each key field as keyParts does, enums by name.
func (r *renderer) labelParts(info *spec.MapInfo, key []byte) []string {
	parts := r.keyParts(info, key)
	for i, f := range info.Key {
		if name, ok := f.Enum[render.Uint(fieldOf(key, f))]; ok {
			parts[i] = name
		}
	}
	return parts
}

// Lost returns, per probe (by spec.Probe.Index), the records its
// program could not put in the ring buffer so far.
func (t *Tracer) Lost() ([]uint64, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.maps == nil {
		return nil, errClosed
	}
	lost := t.maps.Maps[spec.LostMap]
	out := make([]uint64, len(t.prog.Probes))
	for i := range out {
		b, err := lost.LookupBytes(uint32(i))
		if err != nil {
			return nil, fmt.Errorf("read lost counts: %w", err)
		}
		for _, v := range splitValues(b, 8, 8) {
			out[i] += render.Uint(v)
		}
	}
	return out, nil
}

// Records returns, per probe, the records Run has read from the ring
// buffer so far (events, printf, print, time, ...).
func (t *Tracer) Records() []uint64 {
	out := make([]uint64, len(t.records))
	for i := range t.records {
		out[i] = t.records[i].Load()
	}
	return out
}

// AttachErrors returns, per probe, the error that kept it from attaching
// under Options.KeepGoing; nil for the probes that attached.
func (t *Tracer) AttachErrors() []error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]error, len(t.prog.Probes))
	copy(out, t.attachErrs)
	return out
}
