// Package metrics serves a running Tracer's script maps as Prometheus
// metrics (surftrace --metrics ADDR). The maps are read from the kernel on
// every scrape by a prometheus.Collector; nothing is copied per event.
//
// The mapping (docs/fleet.md):
//
//   - @name becomes surftrace_name (the bare @ surftrace_map);
//     count() and sum() are counters, surftrace_name_total;
//     min(), max(), avg() and integer values are gauges;
//     stats() is a summary (_count, _sum);
//     hist() and lhist() are histograms whose bucket bounds are the
//     power-of-two or linear buckets', as integers (le="7" is [4, 8)).
//   - Key fields become labels named as the compiler named them
//     (spec.Field.Name: the key expression's variable, builtin or
//     member name, keyN otherwise), valued as text output prints them,
//     enums by name.
//   - surftrace's own: surftrace_probe_events_total,
//     surftrace_probe_lost_events_total and
//     surftrace_probe_attach_errors_total, labelled by probe.
//
// It imports runtime and compiler; cmd/surftrace wires it to the flags.
package metrics
