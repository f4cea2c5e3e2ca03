package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/surftrace/surftrace/kernel/tracingdir"
	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
)

// attachWorkers is how many single kprobes are attached at once when the
// kernel has no kprobe.multi links: each attach waits for the kernel to
// patch the function's entry, so a few in parallel overlap that wait.
const attachWorkers = 8

// AttachStats says how the probes with several targets (argument
// selectors) attached: how many functions, how many the kernel refused,
// how long it took and how ("kprobe.multi" or "single kprobes").
type AttachStats struct {
	Functions, Refused int
	Took               time.Duration
	How                string
}

// haveKprobeMulti reports whether the kernel has kprobe.multi links
// (Linux 5.18 with CONFIG_FPROBE).
var haveKprobeMulti = sync.OnceValue(func() bool { return features.HaveBPFLinkKprobeMulti() == nil })

// attachTargets attaches the program of probe to every function of
// probe.Targets: through one kprobe.multi link to those ftrace can hook
// when the kernel has kprobe.multi and accepts the link, else one kprobe
// per function, several at a time; either way the functions the kernel
// refuses are left out and counted. It fails only when none attached.
func (t *Tracer) attachTargets(probe *spec.Probe) ([]link.Link, error) {
	start := time.Now()
	defer func() { t.stats.Took += time.Since(start) }()
	t.stats.Functions += len(probe.Targets)
	if haveKprobeMulti() {
		l, err := t.attachMulti(probe)
		if err == nil {
			t.stats.How = "kprobe.multi"
			return []link.Link{l}, nil
		}
		if t.opts.Verbose && t.opts.Warn != nil {
			fmt.Fprintf(t.opts.Warn, "surftrace: %s: kprobe.multi refused (%v); attaching one kprobe per function\n", probeLabel(probe), err)
		}
	}
	t.stats.How = "single kprobes"
	links, errs := t.attachSingles(probe, t.progs[probe.Index])
	t.stats.Refused += len(errs)
	if len(links) == 0 {
		if kprobesMissing(os.DirFS("/")) {
			return nil, kprobeError(probe, errs[0], true)
		}
		return nil, fmt.Errorf("none of %d functions attached: %w", len(probe.Targets), errors.Join(errs...))
	}
	return links, nil
}

// attachMulti loads a copy of the probe's program for kprobe.multi and
// attaches it to every target at once.
func (t *Tracer) attachMulti(probe *spec.Probe) (link.Link, error) {
	multi := *probe
	multi.Spec = probe.Spec.Copy()
	multi.Spec.AttachType = ebpf.AttachTraceKprobeMulti
	prog, err := t.loadProbe(&multi)
	if err != nil {
		return nil, err
	}
	syms := traceable(probe.Targets)
	if len(syms) == 0 {
		prog.Close()
		return nil, errors.New("no target is in available_filter_functions")
	}
	opts := link.KprobeMultiOptions{Symbols: syms}
	var l link.Link
	if probe.Kind == spec.AttachKretprobe {
		l, err = link.KretprobeMulti(prog, opts)
	} else {
		l, err = link.KprobeMulti(prog, opts)
	}
	if err != nil {
		prog.Close()
		return nil, err
	}
	t.closers = append(t.closers, prog)
	t.stats.Refused += len(probe.Targets) - len(syms)
	return l, nil
}

// traceable keeps the functions ftrace can hook, those tracefs lists in
// available_filter_functions: kprobe.multi attaches through ftrace and
// refuses the whole link for one function it cannot hook. Without that
// file it keeps them all.
func traceable(fns []string) []string {
	hookable := filterFunctions()
	if hookable == nil {
		return fns
	}
	var out []string
	for _, fn := range fns {
		if hookable[fn] {
			out = append(out, fn)
		}
	}
	return out
}

// filterFunctions reads available_filter_functions once (it lists some
// 50,000 functions); nil when it cannot.
var filterFunctions = sync.OnceValue(func() map[string]bool {
	dir, err := tracingdir.Find()
	if err != nil {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, "available_filter_functions"))
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), " ")
		out[name] = true
	}
	if sc.Err() != nil {
		return nil
	}
	return out
})

// attachSingles attaches prog to each target with its own kprobe,
// attachWorkers at a time; it returns the links made and the errors of
// the functions the kernel refused.
func (t *Tracer) attachSingles(probe *spec.Probe, prog *ebpf.Program) ([]link.Link, []error) {
	var (
		mu    sync.Mutex
		links []link.Link
		errs  []error
		wg    sync.WaitGroup
	)
	work := make(chan string)
	for range attachWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for fn := range work {
				var l link.Link
				var err error
				if probe.Kind == spec.AttachKretprobe {
					l, err = link.Kretprobe(fn, prog, nil)
				} else {
					l, err = link.Kprobe(fn, prog, nil)
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", fn, err))
				} else {
					links = append(links, l)
				}
				mu.Unlock()
			}
		}()
	}
	for _, fn := range probe.Targets {
		work <- fn
	}
	close(work)
	wg.Wait()
	return links, errs
}
