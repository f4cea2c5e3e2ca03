package metrics

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/spec"
)

// Collector is a prometheus.Collector that reads a Tracer's script maps
// and its own counters on every scrape.
type Collector struct {
	t     *runtime.Tracer
	prog  *spec.Program
	maps  []mapMetric
	own   []ownMetric
	probe []string // label value per probe index
}

// mapMetric is one exported script map.
type mapMetric struct {
	info   *spec.MapInfo
	desc   *prometheus.Desc
	bounds []float64 // hist, lhist
}

// ownMetric is one of surftrace's per-probe counters.
type ownMetric struct {
	desc *prometheus.Desc
	read func(c *Collector) ([]uint64, error)
}

// Own metric names; a script map may not take one of them.
const (
	eventsName       = namespace + "_probe_events_total"
	lostName         = namespace + "_probe_lost_events_total"
	attachErrorsName = namespace + "_probe_attach_errors_total"
)

// NewCollector describes the metrics of prog, loaded as t. Maps whose
// values are no numbers are left out; a map whose metric name is taken
// is an error.
func NewCollector(t *runtime.Tracer, prog *spec.Program) (*Collector, error) {
	c := &Collector{t: t, prog: prog}
	taken := map[string]string{}
	probeLabel := []string{"probe"}
	c.own = []ownMetric{
		{prometheus.NewDesc(eventsName, "Records a probe sent to surftrace (trace lines, printf, print, ...).", probeLabel, nil),
			func(c *Collector) ([]uint64, error) { return c.t.Records(), nil }},
		{prometheus.NewDesc(lostName, "Records a probe could not send because the ring buffer was full.", probeLabel, nil),
			func(c *Collector) ([]uint64, error) { return c.t.Lost() }},
		{prometheus.NewDesc(attachErrorsName, "Probes that failed to attach (1) and run without them.", probeLabel, nil),
			func(c *Collector) ([]uint64, error) { return failed(c.t.AttachErrors()), nil }},
	}
	for _, name := range []string{eventsName, lostName, attachErrorsName} {
		taken[name] = "surftrace's own metric"
	}
	for _, info := range prog.ScriptMaps {
		if !exported(info) {
			continue
		}
		name := metricName(info)
		if by, ok := taken[name]; ok {
			return nil, fmt.Errorf("--metrics: map %s would be %s, which is %s; rename the map", info.Name, name, by)
		}
		taken[name] = "map " + info.Name + "'s"
		help := fmt.Sprintf("The script map %s (%s).", info.Name, kindWord(info.Kind))
		m := mapMetric{info: info, desc: prometheus.NewDesc(name, help, labelNames(info), nil)}
		if info.Kind == spec.MapHist || info.Kind == spec.MapLhist {
			m.bounds = upperBounds(info)
		}
		c.maps = append(c.maps, m)
	}
	for _, p := range prog.Probes {
		c.probe = append(c.probe, p.Name)
	}
	return c, nil
}

// failed turns attach errors into 0 or 1 per probe.
func failed(errs []error) []uint64 {
	out := make([]uint64, len(errs))
	for i, err := range errs {
		if err != nil {
			out[i] = 1
		}
	}
	return out
}

// kindWord names what a map holds, for help texts.
func kindWord(k spec.MapKind) string {
	return map[spec.MapKind]string{
		spec.MapScalar: "assigned values", spec.MapCount: "count()", spec.MapSum: "sum()",
		spec.MapAvg: "avg()", spec.MapMin: "min()", spec.MapMax: "max()",
		spec.MapStats: "stats()", spec.MapHist: "hist()", spec.MapLhist: "lhist()",
	}[k]
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, o := range c.own {
		ch <- o.desc
	}
	for _, m := range c.maps {
		ch <- m.desc
	}
}

// Collect reads the maps and counters now. A map that cannot be read is
// reported as an invalid metric, which the HTTP handler turns into an
// error for that scrape.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, o := range c.own {
		values, err := o.read(c)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(o.desc, err)
			continue
		}
		// Probes of one name (a script's probes on one tracepoint with
		// different predicates) are one series: their sum.
		var names []string
		sums := map[string]uint64{}
		for i, v := range values {
			if p := c.prog.Probes[i]; p.Kind == spec.AttachBegin || p.Kind == spec.AttachEnd {
				continue
			}
			if _, ok := sums[c.probe[i]]; !ok {
				names = append(names, c.probe[i])
			}
			sums[c.probe[i]] += v
		}
		for _, name := range names {
			ch <- prometheus.MustNewConstMetric(o.desc, prometheus.CounterValue, float64(sums[name]), name)
		}
	}
	for _, m := range c.maps {
		rows, err := c.t.ReadMap(m.info)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(m.desc, err)
			continue
		}
		for _, row := range mergeRows(m.info, rows) {
			ch <- m.metric(row)
		}
	}
}

// metric is one row's metric.
func (m *mapMetric) metric(row runtime.MapRow) prometheus.Metric {
	switch m.info.Kind {
	case spec.MapHist, spec.MapLhist:
		buckets, count := cumulative(m.bounds, row.Buckets)
		return prometheus.MustNewConstHistogram(m.desc, count, noSum, buckets, row.Key...)
	case spec.MapStats:
		return prometheus.MustNewConstSummary(m.desc, uint64(row.Count), float64(row.Total), nil, row.Key...)
	}
	v := float64(row.Value)
	if m.info.Kind == spec.MapCount || m.info.Kind == spec.MapScalar && m.info.Value != nil && m.info.Value.Render == spec.RenderUnsigned {
		v = float64(uint64(row.Value))
	}
	return prometheus.MustNewConstMetric(m.desc, valueType(m.info), v, row.Key...)
}

// mergeRows merges rows whose keys render the same (two addresses in one
// function under ksym(), say), since one label set is one series: counts,
// sums, buckets and plain values add up, min and max keep the extreme,
// averages are recomputed from the merged count and total.
func mergeRows(info *spec.MapInfo, rows []runtime.MapRow) []runtime.MapRow {
	byKey := map[string]int{}
	var out []runtime.MapRow
	for _, row := range rows {
		k := strings.Join(row.Key, "\x00")
		i, seen := byKey[k]
		if !seen {
			byKey[k] = len(out)
			row.Buckets = slices.Clone(row.Buckets)
			out = append(out, row)
			continue
		}
		o := &out[i]
		switch info.Kind {
		case spec.MapMin:
			o.Value = min(o.Value, row.Value)
		case spec.MapMax:
			o.Value = max(o.Value, row.Value)
		default:
			o.Value += row.Value
		}
		o.Count += row.Count
		o.Total += row.Total
		if info.Kind == spec.MapAvg && o.Count != 0 {
			o.Value = o.Total / o.Count
		}
		for j, b := range row.Buckets {
			if j >= len(o.Buckets) {
				o.Buckets = append(o.Buckets, 0)
			}
			o.Buckets[j] += b
		}
	}
	return out
}
