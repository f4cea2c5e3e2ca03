package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/runtime"
)

// TestCollectorReadsMaps loads a script whose BEGIN fills maps of every
// kind, then gathers them as a scrape would.
func TestCollectorReadsMaps(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF)
	src := `BEGIN {
	@lat = hist(5); @lat = hist(0); @lat = hist(-3); @lat = hist(1000);
	@len = lhist(25, 0, 100, 10); @len = lhist(150, 0, 100, 10);
	$dir = "out";
	@resets[$dir, 7] = count(); @resets[$dir, 7] = count();
	@peak = max(7); @peak = max(3);
	@s = stats(10); @s = stats(20);
	@name = "abc";
}`
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(prog, &kernel.Host{}, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := runtime.Load(p, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Attach(); err != nil {
		t.Fatal(err)
	}
	c, err := NewCollector(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*dto.MetricFamily{}
	for _, f := range families {
		got[f.GetName()] = f
	}
	if _, ok := got["surftrace_name"]; ok {
		t.Error("a map of strings was exported")
	}

	lat := one(t, got, "surftrace_lat", dto.MetricType_HISTOGRAM).GetHistogram()
	if lat.GetSampleCount() != 4 || !math.IsNaN(lat.GetSampleSum()) {
		t.Errorf("@lat: count %d sum %v, want 4 and NaN", lat.GetSampleCount(), lat.GetSampleSum())
	}
	want := map[float64]uint64{-1: 1, 0: 2, 1: 2, 3: 2, 7: 3, 1023: 4}
	for _, b := range lat.GetBucket() {
		if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
			t.Errorf("@lat le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
		}
	}

	ln := one(t, got, "surftrace_len", dto.MetricType_HISTOGRAM).GetHistogram()
	if ln.GetSampleCount() != 2 || len(ln.GetBucket()) != 11 {
		t.Errorf("@len: count %d, %d buckets; want 2, 11", ln.GetSampleCount(), len(ln.GetBucket()))
	}

	resets := got["surftrace_resets_total"]
	if resets == nil || len(resets.GetMetric()) != 1 {
		t.Fatalf("surftrace_resets_total: %v", resets)
	}
	m := resets.GetMetric()[0]
	if m.GetCounter().GetValue() != 2 || labels(m) != "dir=out,key1=7" {
		t.Errorf("@resets: %v {%s}, want 2 {dir=out,key1=7}", m.GetCounter().GetValue(), labels(m))
	}
	if v := one(t, got, "surftrace_peak", dto.MetricType_GAUGE).GetGauge().GetValue(); v != 7 {
		t.Errorf("@peak: %v, want 7", v)
	}
	if s := one(t, got, "surftrace_s", dto.MetricType_SUMMARY).GetSummary(); s.GetSampleCount() != 2 || s.GetSampleSum() != 30 {
		t.Errorf("@s: count %d sum %v, want 2, 30", s.GetSampleCount(), s.GetSampleSum())
	}
}

// one returns the only metric of family name, checking its type.
func one(t *testing.T, got map[string]*dto.MetricFamily, name string, typ dto.MetricType) *dto.Metric {
	t.Helper()
	f := got[name]
	if f == nil || f.GetType() != typ || len(f.GetMetric()) != 1 {
		t.Fatalf("%s: %v, want one %v", name, f, typ)
	}
	return f.GetMetric()[0]
}

// labels renders a metric's labels as name=value,...
func labels(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return strings.Join(parts, ",")
}

// TestCollectorSameProbeName: probes of one name (drop.st has three on
// skb:kfree_skb, one per protocol) are one series per own metric, their
// sum, where two would fail the scrape.
func TestCollectorSameProbeName(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints)
	src := `tracepoint:syscalls:sys_enter_getppid /pid == 1/ { @a = count(); }
tracepoint:syscalls:sys_enter_getppid /pid != 1/ { @b = count(); }`
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(prog, &kernel.Host{}, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := runtime.Load(p, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, err := NewCollector(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == eventsName && len(f.GetMetric()) != 1 {
			t.Errorf("%s: %d series, want 1", eventsName, len(f.GetMetric()))
		}
	}
}
