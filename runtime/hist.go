package runtime

import (
	"fmt"
	"strconv"
	"strings"
)

// histBarWidth is the width of bpftrace's histogram bars.
const histBarWidth = 52

// histText renders power-of-two buckets as bpftrace 0.17 does. Bucket 0
// holds negative values, 1 holds 0, 2 holds 1, and bucket i >= 3 holds
// [2^(i-2), 2^(i-1)). Only the span from the first to the last non-empty
// bucket prints.
func histText(buckets []uint64, div uint64) string {
	first, last, peak := histSpan(buckets)
	if last < 0 {
		return ""
	}
	var b strings.Builder
	for i := first; i <= last; i++ {
		var label string
		switch i {
		case 0:
			label = "(..., 0)"
		case 1:
			label = "[0]"
		case 2:
			label = "[1]"
		default:
			label = "[" + histLabel(i-2) + ", " + histLabel(i-1) + ")"
		}
		writeBucket(&b, label, buckets[i], peak, div)
	}
	return b.String()
}

// histSpan returns the first and last non-empty bucket and the largest
// count; last is -1 when every bucket is empty.
func histSpan(buckets []uint64) (first, last int, peak uint64) {
	first, last = -1, -1
	for i, v := range buckets {
		if v > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
		peak = max(peak, v)
	}
	return first, last, peak
}

// histLabel renders 2^power with bpftrace's K, M, G, T suffixes.
func histLabel(power int) string {
	suffix := ""
	for _, unit := range []struct {
		power  int
		suffix string
	}{{40, "T"}, {30, "G"}, {20, "M"}, {10, "K"}} {
		if power >= unit.power {
			power -= unit.power
			suffix = unit.suffix
			break
		}
	}
	return strconv.FormatUint(1<<uint(power), 10) + suffix
}

// lhistText renders linear buckets as bpftrace 0.17 does: bucket 0 holds
// values below min, bucket (max-min)/step+1 values from max on, and bucket
// i between them [min+(i-1)*step, min+i*step).
func lhistText(buckets []uint64, div uint64, lo, hi, step int64) string {
	first, last, peak := lhistSpan(buckets, lo, hi, step)
	if last < 0 {
		return ""
	}
	n := int((hi - lo) / step)
	var b strings.Builder
	for i := first; i <= last; i++ {
		var label string
		switch {
		case i == 0:
			label = "(..., " + lhistLabel(lo) + ")"
		case i == n+1:
			label = "[" + lhistLabel(hi) + ", ...)"
		default:
			label = "[" + lhistLabel(int64(i-1)*step+lo) + ", " + lhistLabel(int64(i)*step+lo) + ")"
		}
		writeBucket(&b, label, bucketAt(buckets, i), peak, div)
	}
	return b.String()
}

// lhistSpan is histSpan over the buckets an lhist of these parameters
// prints, 0 through (hi-lo)/step+1.
func lhistSpan(buckets []uint64, lo, hi, step int64) (first, last int, peak uint64) {
	if step <= 0 {
		return -1, -1, 0
	}
	n := int((hi-lo)/step) + 2
	return histSpan(buckets[:min(n, len(buckets))])
}

// lhistLabel renders n with K or M when it is a whole multiple of 1024 or
// 1048576, as bpftrace does.
func lhistLabel(n int64) string {
	switch {
	case n == 0:
		return "0"
	case n%(1<<20) == 0:
		return strconv.FormatInt(n/(1<<20), 10) + "M"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n/(1<<10), 10) + "K"
	}
	return strconv.FormatInt(n, 10)
}

// writeBucket writes one histogram line: the label left-aligned in 16
// columns, the count right-aligned in 8, and a bar scaled to the peak with
// bpftrace's single-precision arithmetic. A div > 0 (print's) divides the
// count shown but not the bar, as bpftrace 0.17 does.
func writeBucket(b *strings.Builder, label string, count, peak, div uint64) {
	bar := int(float32(count) / float32(peak) * histBarWidth)
	shown := count
	if div > 0 {
		shown /= div
	}
	fmt.Fprintf(b, "%-16s%8d |%-52s|\n", label, shown, strings.Repeat("@", bar))
}

// bucketAt returns buckets[i], or 0 past the end.
func bucketAt(buckets []uint64, i int) uint64 {
	if i < len(buckets) {
		return buckets[i]
	}
	return 0
}
