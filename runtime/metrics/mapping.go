package metrics

import (
	"math"
	"regexp"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/surftrace/surftrace/spec"
)

// namespace prefixes every metric name.
const namespace = "surftrace"

// metricName is the metric a script map becomes: surftrace_NAME, with
// _total for counters.
func metricName(info *spec.MapInfo) string {
	name := info.Name[1:]
	if name == "" {
		name = "map"
	}
	name = namespace + "_" + name
	if valueType(info) == prometheus.CounterValue {
		name += "_total"
	}
	return name
}

// valueType is the kind of a counter or gauge map; 0 for the others.
func valueType(info *spec.MapInfo) prometheus.ValueType {
	switch info.Kind {
	case spec.MapCount, spec.MapSum:
		return prometheus.CounterValue
	case spec.MapMin, spec.MapMax, spec.MapAvg:
		return prometheus.GaugeValue
	case spec.MapScalar:
		if isInteger(info.Value) {
			return prometheus.GaugeValue
		}
	}
	return 0
}

// exported reports whether a map has a metric: strings, tuples,
// addresses and other values that are no numbers have none.
func exported(info *spec.MapInfo) bool {
	switch info.Kind {
	case spec.MapStats, spec.MapHist, spec.MapLhist:
		return true
	}
	return valueType(info) != 0
}

// isInteger reports whether a scalar map's values are plain integers.
func isInteger(f *spec.Field) bool {
	return f == nil || f.Render == spec.RenderSigned || f.Render == spec.RenderUnsigned
}

var labelSyntax = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// labelNames are a map's label names: its key fields' names, keyN for a
// field without a usable one (empty, not a label name, reserved by
// Prometheus, "le" or "quantile", or already taken).
func labelNames(info *spec.MapInfo) []string {
	names := make([]string, len(info.Key))
	seen := map[string]bool{}
	for i, f := range info.Key {
		name := f.Name
		if !labelSyntax.MatchString(name) || len(name) > 1 && name[:2] == "__" || name == "le" || name == "quantile" || seen[name] {
			name = "key" + strconv.Itoa(i)
		}
		seen[name] = true
		names[i] = name
	}
	return names
}

// upperBounds returns the inclusive upper bound ("le") of every bucket of
// a hist or lhist but the last, which is +Inf. The values are integers,
// so the bound of [lo, hi) is hi-1.
//
// hist: bucket 0 holds negatives (le -1), 1 holds 0, 2 holds 1, and i >= 3
// holds [2^(i-2), 2^(i-1)); the 65th (i = 64) holds the rest.
// lhist: bucket 0 holds values below min, i holds
// [min+(i-1)*step, min+i*step), and (max-min)/step+1 the values from max on.
func upperBounds(info *spec.MapInfo) []float64 {
	if info.Kind == spec.MapHist {
		bounds := []float64{-1, 0, 1}
		for i := 3; i < 64; i++ {
			bounds = append(bounds, float64(uint64(1)<<uint(i-1)-1))
		}
		return bounds
	}
	if info.Step <= 0 {
		return nil
	}
	n := (info.Max - info.Min) / info.Step
	bounds := []float64{float64(info.Min - 1)}
	for i := int64(1); i <= n; i++ {
		bounds = append(bounds, float64(info.Min+i*info.Step-1))
	}
	return bounds
}

// cumulative turns bucket counts by index into Prometheus's cumulative
// counts by upper bound, and returns the total. Counts past the last
// bound (and in buckets the bounds do not reach) go to +Inf only.
func cumulative(bounds []float64, buckets []uint64) (map[float64]uint64, uint64) {
	out := make(map[float64]uint64, len(bounds))
	var total uint64
	for i, le := range bounds {
		if i < len(buckets) {
			total += buckets[i]
		}
		out[le] = total
	}
	for i := len(bounds); i < len(buckets); i++ {
		total += buckets[i]
	}
	return out, total
}

// noSum is a histogram's sum: hist() and lhist() keep only bucket counts,
// so the sum of the values is unknown.
var noSum = math.NaN()
