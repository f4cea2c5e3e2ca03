package bench

import (
	"fmt"
	"io"
	"strconv"
)

// Markdown writes the report as a markdown table: absolute figures and
// the surftrace/bpftrace ratio.
func (r *Report) Markdown(w io.Writer) error {
	_, err := fmt.Fprintf(w, "kernel %s, %s\n\n| figure | unit | surftrace | bpftrace | surftrace/bpftrace |\n|---|---|---:|---:|---:|\n", r.Kernel, r.Probes)
	if err != nil {
		return err
	}
	for _, f := range r.Figures {
		ratio := "–"
		if f.Bpftrace != 0 {
			ratio = strconv.FormatFloat(f.Ratio, 'f', 2, 64)
		}
		b := num(f.Bpftrace)
		if f.SurftraceOnly {
			b = "–"
		}
		if _, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", f.Name, f.Unit, num(f.Surftrace), b, ratio); err != nil {
			return err
		}
	}
	return nil
}

// num prints a figure with the precision it deserves.
func num(v float64) string {
	switch {
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
