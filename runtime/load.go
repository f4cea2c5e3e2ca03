package runtime

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/surftrace/surftrace/runtime/ksym"
	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
)

// Load creates the maps and programs of p in the kernel. Nothing is
// attached yet; see Attach. When the verifier rejects a program the error
// is a *VerifierError naming the probe and its position first.
func Load(p *spec.Program, opts Options) (*Tracer, error) {
	if opts.Kallsyms == "" {
		opts.Kallsyms = "/proc/kallsyms"
	}
	if err := checkProgram(p); err != nil {
		return nil, err
	}
	t := &Tracer{prog: p, opts: opts, syms: ksym.NewLazy(opts.Kallsyms), records: make([]atomic.Uint64, len(p.Probes))}
	maps, err := ebpf.NewCollectionWithOptions(&ebpf.CollectionSpec{Maps: p.Maps}, ebpf.CollectionOptions{})
	if err != nil {
		return nil, fmt.Errorf("create maps: %w", err)
	}
	t.maps = maps
	for _, probe := range p.Probes {
		prog, err := t.loadProbe(probe)
		if err != nil {
			t.Close()
			return nil, err
		}
		t.progs = append(t.progs, prog)
	}
	return t, nil
}

// checkProgram verifies what the runtime relies on: probes indexed by
// position, events by id, and the maps every program may use.
func checkProgram(p *spec.Program) error {
	for i, probe := range p.Probes {
		if probe.Index != i || probe.Spec == nil {
			return fmt.Errorf("internal error: probe %d (%s) has index %d or no program", i, probe.Name, probe.Index)
		}
	}
	for i, ev := range p.Events {
		if int(ev.ID) != i || ev.Probe < 0 || ev.Probe >= len(p.Probes) {
			return fmt.Errorf("internal error: event %d has id %d and probe %d", i, ev.ID, ev.Probe)
		}
	}
	for _, name := range []string{spec.EventsMap, spec.LostMap} {
		if p.Maps[name] == nil {
			return fmt.Errorf("internal error: program has no %q map", name)
		}
	}
	for _, info := range p.ScriptMaps {
		if p.Maps[info.Name] == nil {
			return fmt.Errorf("internal error: script map %s has no map spec", info.Name)
		}
	}
	return nil
}

// loadProbe points the probe's map references at the created maps and
// loads its program.
func (t *Tracer) loadProbe(probe *spec.Probe) (*ebpf.Program, error) {
	spec := probe.Spec.Copy()
	for i := range spec.Instructions {
		ins := &spec.Instructions[i]
		if !ins.IsLoadFromMap() || ins.Reference() == "" {
			continue
		}
		m := t.maps.Maps[ins.Reference()]
		if m == nil {
			return nil, probeError(probe, "load", fmt.Errorf("internal error: program uses unknown map %q", ins.Reference()))
		}
		if err := ins.AssociateMap(m); err != nil {
			return nil, probeError(probe, "load", err)
		}
	}
	var opts ebpf.ProgramOptions
	bounded := t.opts.Verbose && t.opts.LogSize > 0
	if bounded {
		opts.LogLevel = ebpf.LogLevelBranch
	}
	prog, err := ebpf.NewProgramWithOptions(spec, opts)
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return nil, newVerifierError(probe, spec, ve, t.opts.Verbose)
	}
	if err != nil {
		return nil, probeError(probe, "load", err)
	}
	// cilium/ebpf grows the log buffer until the log fits; the kernel
	// given LogSize bytes would have failed the load (ENOSPC, or EINVAL
	// below 128 bytes on kernels before 6.4).
	if n := len(prog.VerifierLog) + 1; bounded && n > t.opts.LogSize {
		prog.Close()
		return nil, fmt.Errorf("%s: Error loading program: %s: the verifier log of %d bytes does not fit in BPFTRACE_LOG_SIZE, %d bytes: raise it",
			probe.Pos, probeLabel(probe), n, t.opts.LogSize)
	}
	return prog, nil
}
