package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/runtime/linesink"
	"github.com/surftrace/surftrace/runtime/metrics"
	"github.com/surftrace/surftrace/spec"
)

// fleetConfig holds the flags of fleet mode (docs/fleet.md).
type fleetConfig struct {
	metrics string // --metrics ADDR: serve the maps as Prometheus metrics
	sink    string // --sink DEST: send the JSON lines to a file, -, tcp:// or udp://
}

// addFleetFlags defines --metrics and --sink. The sink is not -o, which
// writes a bash script.
func addFleetFlags(fs *flag.FlagSet, c *fleetConfig) {
	fs.StringVar(&c.metrics, "metrics", "", "serve the script's maps as Prometheus metrics at http://`ADDR`/metrics (e.g. :9435); nothing prints on the terminal, the run lasts until signalled (bpf backend)")
	fs.StringVar(&c.sink, "sink", "", "send the --format json lines to `DEST`: a file, - (stdout), tcp://HOST:PORT or udp://HOST:PORT, through a bounded queue whose losses are counted (bpf backend)")
}

// problem says why the fleet flags cannot be meant with the rest of cfg,
// or returns "".
func (c *fleetConfig) problem(cfg *config) string {
	if c.metrics == "" && c.sink == "" {
		return ""
	}
	if cfg.show || cfg.output != "" || cfg.emit != "" || cfg.list || cfg.listV || cfg.sub == "repl" || cfg.runList {
		return "--metrics and --sink run a program: they do not combine with -S, -o, --emit, -l, -lv, repl or run --list"
	}
	if c.sink != "" && cfg.format != "json" {
		return "--sink sends JSON lines: add --format json"
	}
	return ""
}

// fleet is a run's --metrics server and --sink, around a loaded Tracer.
type fleet struct {
	srv  *metrics.Server
	sink *linesink.Sink
}

// startFleet opens the sink and starts the metrics server for t, and
// returns where the run's output goes: the sink, nowhere under --metrics
// alone, else stdout.
func startFleet(c *config, t *runtime.Tracer, p *spec.Program, stdout, stderr io.Writer) (*fleet, io.Writer, error) {
	f := &fleet{}
	out := stdout
	if c.fleet.metrics != "" {
		out = io.Discard
	}
	if c.fleet.sink != "" {
		warn := stderr
		if c.quiet {
			warn = nil
		}
		s, err := linesink.Open(c.fleet.sink, linesink.Options{Stdout: stdout, Warn: warn})
		if err != nil {
			return nil, nil, badInput(err)
		}
		f.sink, out = s, s
	}
	if c.fleet.metrics == "" {
		return f, out, nil
	}
	reg, err := registry(t, p, f.sink)
	if err == nil {
		f.srv, err = metrics.Serve(c.fleet.metrics, reg)
	}
	if err != nil {
		f.stop(stderr)
		return nil, nil, err
	}
	if !c.quiet {
		fmt.Fprintf(stderr, "surftrace: serving metrics at http://%s/metrics\n", f.srv.Addr())
	}
	return f, out, nil
}

// registry gathers the tracer's metrics, the sink's, and the process's.
func registry(t *runtime.Tracer, p *spec.Program, sink *linesink.Sink) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	col, err := metrics.NewCollector(t, p)
	if err != nil {
		return nil, badInput(err)
	}
	cs := []prometheus.Collector{col, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{Namespace: "surftrace"})}
	if sink != nil {
		cs = append(cs,
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "surftrace_sink_sent_lines_total", Help: "JSON lines handed to the --sink destination."},
				func() float64 { return float64(sink.Sent()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "surftrace_sink_dropped_lines_total", Help: "JSON lines lost: the --sink queue was full, the destination was down or refused them."},
				func() float64 { return float64(sink.Dropped()) }))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, badInput(fmt.Errorf("--metrics: %w", err))
		}
	}
	return reg, nil
}

// stop ends the metrics server, then flushes and closes the sink,
// reporting its losses on stderr (even under -q: they are lost data).
func (f *fleet) stop(stderr io.Writer) error {
	var errs []error
	if f.srv != nil {
		errs = append(errs, f.srv.Close())
		f.srv = nil
	}
	if f.sink != nil {
		errs = append(errs, f.sink.Close())
		if r := f.sink.Report(); r != "" {
			fmt.Fprintln(stderr, "surftrace:", r)
		}
		f.sink = nil
	}
	return errors.Join(errs...)
}

// reportAttachErrors prints the probes Options.KeepGoing ran without.
func reportAttachErrors(t *runtime.Tracer, stderr io.Writer) {
	for _, err := range t.AttachErrors() {
		if err != nil {
			fmt.Fprintf(stderr, "surftrace: %v (running without this probe)\n", err)
		}
	}
}
