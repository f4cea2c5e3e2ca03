package tracefs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/surftrace/surftrace/spec"
)

// Options configures Run.
type Options struct {
	// Root is the tracefs mount; "" finds it (and mounts it if needed).
	Root string
	// Out receives one line per event, and the stack lines under it.
	Out io.Writer
	// Warn receives notes, such as leftovers that could not be removed;
	// nil discards them.
	Warn io.Writer
	// Ready, if set, is called once every event is enabled.
	Ready func()
}

// run is the tracefs state one Run created, in the order to undo it.
type run struct {
	fs       fsys
	name     string // instance and kprobe group: surftrace_PID
	inst     string // "instances/NAME"
	probes   []*spec.FtraceProbe
	madeInst bool
	added    []string    // "group/event" of kprobe events appended
	enabled  []string    // event directories enabled in the instance
	filtered []string    // event directories whose filter was set
	triggers [][2]string // event directory and hist trigger set on it
}

// Run sets f up in a tracefs instance of its own, prints its events to
// opt.Out until ctx is done (the caller cancels it on SIGINT and SIGTERM),
// and removes everything it created on every way out. It needs root.
func Run(ctx context.Context, f *spec.Ftrace, opt Options) (err error) {
	root := opt.Root
	if root == "" {
		if root, err = Find(); err != nil {
			return err
		}
	}
	r := &run{fs: fsys(root), name: ownName(os.Getpid())}
	r.inst = path.Join("instances", r.name)
	if err := r.fs.removeLeftovers(); err != nil && opt.Warn != nil {
		fmt.Fprintf(opt.Warn, "surftrace: removing leftovers of earlier runs: %v\n", err)
	}
	if err := r.check(f); err != nil {
		return err
	}
	defer func() {
		if cerr := r.cleanup(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("clean up tracefs: %w", cerr))
		}
	}()
	if err := r.setup(f); err != nil {
		return err
	}
	if err := r.setHists(f); err != nil {
		return err
	}
	dec, err := r.newDecoder(r.inst, f.Stack)
	if err != nil {
		return err
	}
	rr, err := r.openRaw(dec)
	if err != nil {
		return err
	}
	defer rr.close()
	if err := r.enable(f); err != nil {
		return err
	}
	if opt.Ready != nil {
		opt.Ready()
	}
	if err := r.stream(ctx, rr, opt.Out); err != nil {
		return err
	}
	if rr.Bad > 0 && opt.Warn != nil {
		fmt.Fprintf(opt.Warn, "surftrace: skipped %d records shorter than their event's format\n", rr.Bad)
	}
	stats, err := r.statsLost()
	if err != nil {
		return fmt.Errorf("read the instance's buffer stats: %w", err)
	}
	if lost := rr.lostText(stats, r.printing()); lost != "" && opt.Out != nil {
		if _, err := io.WriteString(opt.Out, lost); err != nil {
			return err
		}
	}
	text, err := r.printHists(f)
	if err != nil {
		return err
	}
	if text != "" && opt.Out != nil {
		_, err = io.WriteString(opt.Out, text)
	}
	return err
}

// check validates every name, line and filter of f before anything is
// written, and that no two probes share an event.
func (r *run) check(f *spec.Ftrace) error {
	if r.fs.exists(r.inst) {
		return fmt.Errorf("tracefs instance %s exists: another run in this process?", r.inst)
	}
	seen := make(map[string]*spec.FtraceProbe)
	for _, p := range f.Probes {
		ev := p.EventPath(r.name)
		group, name := path.Split(ev)
		if err := errors.Join(checkName("event group", path.Clean(group)), checkName("event", name),
			checkDef(p.DefLine(r.name)), checkFilter(p.Filter)); err != nil {
			return fmt.Errorf("probe %s: %w", p.Name, err)
		}
		for _, fl := range p.Fields {
			if err := checkName("field name", fl.Name); err != nil {
				return fmt.Errorf("probe %s: %w", p.Name, err)
			}
		}
		if p.Kind != spec.AttachTracepoint && p.Def == "" {
			return fmt.Errorf("probe %s: no kprobe_events line", p.Name)
		}
		if q := seen[ev]; q != nil {
			return fmt.Errorf("probes %s and %s both use event %s: ftrace has one filter per event", q.Name, p.Name, ev)
		}
		seen[ev] = p
	}
	r.probes = f.Probes
	return nil
}

// setup creates the instance and the kprobe events and sets filters,
// the stacktrace option and the clock; it records each step for cleanup.
func (r *run) setup(f *spec.Ftrace) error {
	if err := os.Mkdir(r.fs.path(r.inst), 0o755); err != nil {
		return fmt.Errorf("create tracefs instance: %w", err)
	}
	r.madeInst = true
	if err := r.fs.write(path.Join(r.inst, "trace_clock"), "mono"); err != nil {
		return fmt.Errorf("set trace_clock: %w", err)
	}
	// Wake the reader's poll as soon as a page has data, not once the
	// buffer is half full (kernels before 5.1 have no such file).
	if bp := path.Join(r.inst, "buffer_percent"); r.fs.exists(bp) {
		if err := r.fs.write(bp, "0"); err != nil {
			return fmt.Errorf("set buffer_percent: %w", err)
		}
	}
	for _, p := range f.Probes {
		if p.Kind == spec.AttachTracepoint {
			continue
		}
		line := p.DefLine(r.name) + " " + commField + "=$comm"
		if err := r.fs.appendLine("kprobe_events", line); err != nil {
			if !r.fs.exists("kprobe_events") {
				return fmt.Errorf("add kprobe %s: this kernel has no kprobe_events (CONFIG_KPROBE_EVENTS)", p.Name)
			}
			return r.rejected(p, spec.FtraceDef, line, "error_log", err)
		}
		r.added = append(r.added, p.EventPath(r.name))
	}
	for _, p := range f.Probes {
		if p.Filter == "" {
			continue
		}
		ev := path.Join(r.inst, "events", p.EventPath(r.name))
		if !r.fs.exists(ev) {
			return fmt.Errorf("probe %s: no event %s in tracefs", p.Name, p.EventPath(r.name))
		}
		r.filtered = append(r.filtered, ev)
		if err := r.fs.write(path.Join(ev, "filter"), p.Filter); err != nil {
			return r.rejected(p, spec.FtraceFilter, p.Filter, path.Join(r.inst, "error_log"), err)
		}
	}
	if f.Stack { // a kernel_stack record follows each event
		if err := r.fs.write(path.Join(r.inst, "options/stacktrace"), "1"); err != nil {
			return fmt.Errorf("set options/stacktrace: %w", err)
		}
	}
	return nil
}

// printing returns the names of the probes whose events print.
func (r *run) printing() []string {
	var names []string
	for _, p := range r.probes {
		if p.Hist == nil {
			names = append(names, p.Name)
		}
	}
	return names
}

// enable enables every event of f in the instance.
func (r *run) enable(f *spec.Ftrace) error {
	for _, p := range f.Probes {
		if p.Hist != nil {
			continue // its hist trigger counts; it prints no events
		}
		ev := path.Join(r.inst, "events", p.EventPath(r.name))
		if err := r.fs.write(path.Join(ev, "enable"), "1"); err != nil {
			return fmt.Errorf("enable %s (%s): %w", p.Name, p.EventPath(r.name), err)
		}
		r.enabled = append(r.enabled, ev)
	}
	return nil
}

// cleanup undoes setup and enable in reverse: disable the events, clear
// the filters, remove the instance (which releases its events), then the
// kprobe events. It keeps going past errors and returns them all.
func (r *run) cleanup() error {
	var errs []error
	for _, t := range r.triggers {
		errs = append(errs, r.fs.appendLine(path.Join(t[0], "trigger"), "!"+t[1]))
	}
	for _, ev := range r.enabled {
		errs = append(errs, r.fs.write(path.Join(ev, "enable"), "0"))
	}
	for _, ev := range r.filtered {
		errs = append(errs, r.fs.write(path.Join(ev, "filter"), "0"))
	}
	if r.madeInst {
		errs = append(errs, os.Remove(r.fs.path(r.inst)))
	}
	for i := len(r.added) - 1; i >= 0; i-- {
		errs = append(errs, r.fs.appendLine("kprobe_events", "-:"+r.added[i]))
	}
	return errors.Join(errs...)
}
