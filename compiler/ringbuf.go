package compiler

import (
	"fmt"

	"github.com/surftrace/surftrace/spec"
)

// Ring buffer sizes. How records are written (batched wakeups) is
// codegen.Builder.RingbufOutput.
const (
	defaultRingSize = 1 << 23 // bytes of EventsMap: 100k records of a short printf
	minRingSize     = 1 << 12 // one page
	maxRingSize     = 1 << 30
	// controlRingSize is the ring of a program whose records only act
	// (exit, clear, zero, print of a map): a few header-sized records, so
	// the reader need not map megabytes (the ring's pages count in its RSS
	// twice, as the kernel maps the data area twice).
	controlRingSize = 1 << 16
)

// ringSize returns the ring buffer size opts ask for, or the default.
func ringSize(opts Options) (int, error) {
	n := opts.RingSize
	if n == 0 {
		return defaultRingSize, nil
	}
	if n < minRingSize || n > maxRingSize || n&(n-1) != 0 {
		return 0, fmt.Errorf("ring buffer size %d is not a power of two between %d and %d", n, minRingSize, maxRingSize)
	}
	return n, nil
}

// printsLines reports whether any event carries output the reader prints
// from the record itself: trace lines, printf, time or print(value).
func printsLines(events []*spec.Event) bool {
	for _, ev := range events {
		switch ev.Kind {
		case spec.EventExit, spec.EventClear, spec.EventZero:
		case spec.EventPrint:
			if ev.Map == "" {
				return true
			}
		default:
			return true
		}
	}
	return false
}
