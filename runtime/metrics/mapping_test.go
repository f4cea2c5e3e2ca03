package metrics

import (
	"slices"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestHistBounds: hist() buckets map to integer upper bounds, each the
// largest value the bucket holds, and counts become cumulative.
func TestHistBounds(t *testing.T) {
	info := &spec.MapInfo{Name: "@lat", Kind: spec.MapHist}
	bounds := upperBounds(info)
	if len(bounds) != 64 {
		t.Fatalf("%d bounds, want 64 (65 buckets, the last +Inf)", len(bounds))
	}
	if want := []float64{-1, 0, 1, 3, 7, 15}; !slices.Equal(bounds[:6], want) {
		t.Errorf("first bounds %v, want %v", bounds[:6], want)
	}
	if bounds[63] != float64(uint64(1)<<62-1) {
		t.Errorf("last bound %v, want 2^62-1", bounds[63])
	}
	// -3, 0, 5, 5, 1000 and one value in the 65th bucket.
	buckets := make([]uint64, 65)
	buckets[0], buckets[1], buckets[4], buckets[11], buckets[64] = 1, 1, 2, 1, 1
	cum, total := cumulative(bounds, buckets)
	if total != 6 {
		t.Errorf("total %d, want 6", total)
	}
	for le, want := range map[float64]uint64{-1: 1, 0: 2, 1: 2, 3: 2, 7: 4, 511: 4, 1023: 5, float64(uint64(1)<<62 - 1): 5} {
		if cum[le] != want {
			t.Errorf("le=%v: %d, want %d", le, cum[le], want)
		}
	}
}

// TestLhistBounds: lhist(x, 0, 100, 10) has a bucket below 0, ten of width
// 10 and one from 100 on (+Inf).
func TestLhistBounds(t *testing.T) {
	info := &spec.MapInfo{Name: "@len", Kind: spec.MapLhist, Min: 0, Max: 100, Step: 10}
	bounds := upperBounds(info)
	want := []float64{-1, 9, 19, 29, 39, 49, 59, 69, 79, 89, 99}
	if !slices.Equal(bounds, want) {
		t.Fatalf("bounds %v, want %v", bounds, want)
	}
	// 25 and 26 in [20, 30), 150 from 100 on; the buckets slice ends at
	// the last non-empty one, as the runtime reads it.
	buckets := []uint64{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1}
	cum, total := cumulative(bounds, buckets)
	if total != 3 || cum[19] != 0 || cum[29] != 2 || cum[99] != 2 {
		t.Errorf("total %d, le=19 %d, le=29 %d, le=99 %d; want 3, 0, 2, 2", total, cum[19], cum[29], cum[99])
	}
	short, total := cumulative(bounds, []uint64{1})
	if total != 1 || short[99] != 1 {
		t.Errorf("one value below min: total %d, le=99 %d; want 1, 1", total, short[99])
	}
}

// TestNames: metric names and the label rule.
func TestNames(t *testing.T) {
	for _, tc := range []struct {
		info   *spec.MapInfo
		name   string
		labels []string
	}{
		{&spec.MapInfo{Name: "@drops", Kind: spec.MapCount, Key: []*spec.Field{{Name: "reason"}, {Name: "location"}}},
			"surftrace_drops_total", []string{"reason", "location"}},
		{&spec.MapInfo{Name: "@", Kind: spec.MapSum}, "surftrace_map_total", []string{}},
		{&spec.MapInfo{Name: "@rtt", Kind: spec.MapMax, Key: []*spec.Field{{Name: "le"}, {Name: "__x"}, {Name: ""}, {Name: "dev"}, {Name: "dev"}}},
			"surftrace_rtt", []string{"key0", "key1", "key2", "dev", "key4"}},
		{&spec.MapInfo{Name: "@lat", Kind: spec.MapHist}, "surftrace_lat", []string{}},
	} {
		if got := metricName(tc.info); got != tc.name {
			t.Errorf("%s: name %s, want %s", tc.info.Name, got, tc.name)
		}
		if got := labelNames(tc.info); !slices.Equal(got, tc.labels) {
			t.Errorf("%s: labels %q, want %q", tc.info.Name, got, tc.labels)
		}
	}
	str := &spec.MapInfo{Name: "@name", Kind: spec.MapScalar, Value: &spec.Field{Render: spec.RenderString}}
	if exported(str) {
		t.Error("a map of strings has a metric")
	}
}
