package main

import (
	"fmt"
	"io"
	"time"
)

// phases returns a function that, under -v, prints on w how long after
// start each step of a run ended ("surftrace: +12.3ms compiled"), so the
// start path can be read without a profiler (docs/performance.md).
func phases(c *config, w io.Writer, start time.Time) func(step string) {
	if !c.verbose {
		return func(string) {}
	}
	return func(step string) {
		fmt.Fprintf(w, "surftrace: +%.1fms %s\n", float64(time.Since(start).Microseconds())/1000, step)
	}
}
