package compiler

import (
	"fmt"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// Options tune compilation.
type Options struct {
	// Stack takes the kernel stack at every hit (-s).
	Stack bool
	// StrSize is how many bytes a string value keeps, NUL included
	// (default 64).
	StrSize int
	// RingSize is the size in bytes of the events ring buffer, a power of
	// two from 4 KiB to 1 GiB (default 8 MiB).
	RingSize int
	// Capture makes every line with an skb carry up to this many bytes of
	// its packet (at most MaxCapture), for --pcap; 0 captures nothing.
	Capture int
	// Params are a script's positional parameters: $1 is Params[0], $#
	// is len(Params).
	Params []string
	// Unsafe allows the script functions that act on the system
	// (signal).
	Unsafe bool
	// PID is the process of -p or -c (0: none). With -p, uprobe and usdt
	// targets named without a path are looked for among its libraries
	// first; with -c (Child) it is the value of cpid.
	PID int
	// Child says PID is the -c command, held before its exec; without
	// it cpid is an error.
	Child bool
	// Command is the -c command's program as given ("./prog"), where
	// watchpoint:FUNCTION+argN looks for FUNCTION; with -p only, the
	// process's executable is.
	Command string
	// HelperCheck is bpftrace's -k (1) and -kk (2): a helper call that
	// fails sends a helper-error record, which the runtime prints as a
	// warning at the call's position. 1 checks map updates and deletes
	// and signal(); 2 also memory reads and map lookups of missing keys.
	HelperCheck int
	// MaxPrograms bounds how many BPF programs a script makes, as
	// bpftrace's BPFTRACE_MAX_BPF_PROGS (0: DefaultMaxPrograms).
	MaxPrograms int
	// SkipUnknownFuncs is bpftrace's way with a kprobe or kretprobe on a
	// function the kernel does not have, in a block that uses the probe
	// builtin (bpftrace expands such attach points per matching
	// function, and the unknown one matches none): the attach point is
	// left out with bpftrace's warning in Program.Warnings instead of
	// failing with a did-you-mean; a program left with no probe fails.
	SkipUnknownFuncs bool
}

// Compile types prog against kernel k and generates one eBPF program per
// probe. Errors about the source are *lang.Error (several as
// lang.ErrorList); a bug in the compiler is reported as an internal error,
// never a panic.
func Compile(prog *lang.Program, k kernel.Kernel, opts Options) (p *spec.Program, err error) {
	defer catchInternal(&err)
	if opts.StrSize <= 0 {
		opts.StrSize = 64
	}
	if opts.StrSize > 4096 {
		return nil, fmt.Errorf("string size %d is over 4096", opts.StrSize)
	}
	if opts.RingSize, err = ringSize(opts); err != nil {
		return nil, err
	}
	ki, err := newKinfo(k)
	if err != nil {
		return nil, err
	}
	return compileLines(prog, ki, opts)
}

// compileLines compiles a program made of expression lines.
func compileLines(prog *lang.Program, ki *kinfo, opts Options) (*spec.Program, error) {
	if hasScriptProbes(prog) {
		return compileProgram(prog, ki, opts)
	}
	out := &spec.Program{Src: prog.Src}
	var errs lang.ErrorList
	var lines []*lineProbe
	for i, p := range prog.Probes {
		lp, err := checkOne(ki, opts, p, i)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lines = append(lines, lp)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	scratch, stacks := 8, false
	for i, lp := range lines {
		lb, err := buildLine(ki, opts, prog.Probes[i], lp, i)
		if err != nil {
			return nil, err
		}
		scratch, stacks = max(scratch, lb.scratch), stacks || lb.stacks
		out.Probes = append(out.Probes, lp.probe)
		out.Events = append(out.Events, lb.event)
	}
	out.Maps = commonMaps(opts, len(lines), scratch, stacks)
	return out, nil
}

// lineBuild is what one expression line adds to a Program besides its
// probe (lineProbe.probe).
type lineBuild struct {
	event   *spec.Event
	scratch int  // bytes of ScratchMap's value the program needs
	stacks  bool // the program takes a stack id
}

// buildLine is the per-line pipeline after checkLine, one for a file of
// lines and for the lines inside a script alike: the packet capture
// (Options.Capture), the record's layout, code generation, the probe's
// program spec, and its Event, numbered event.
func buildLine(ki *kinfo, opts Options, p *lang.Probe, lp *lineProbe, event int) (*lineBuild, error) {
	addCapture(ki, opts, p, lp)
	stack, record, need := layout(lp)
	lp.event = event
	insns, onStack, err := genLine(ki, lp, stack, record, need)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", lp.probe.Pos, err)
	}
	if onStack {
		need = 0 // ScratchMap's value need not hold it
	}
	lp.probe.Spec = programSpec(lp.probe, insns)
	ev := &spec.Event{ID: uint32(event), Kind: spec.EventTrace, Probe: lp.probe.Index, Pos: lp.probe.Pos, Stack: stack}
	for _, f := range lp.fields {
		ev.Fields = append(ev.Fields, f.out)
	}
	captureEvent(lp, ev)
	return &lineBuild{event: ev, scratch: need, stacks: lp.stack || usesStackID(lp)}, nil
}

// checkOne checks one line, turning its first error into a value so that
// the other lines are checked too.
func checkOne(ki *kinfo, opts Options, p *lang.Probe, i int) (lp *lineProbe, err *lang.Error) {
	defer catch(&err)
	return checkLine(ki, opts, p, i), nil
}

func usesStackID(lp *lineProbe) bool {
	for _, f := range lp.fields {
		if f.out.Render == spec.RenderStackID {
			return true
		}
	}
	return false
}

// programSpec wraps insns for the probe's kind.
func programSpec(p *spec.Probe, insns asm.Instructions) *ebpf.ProgramSpec {
	typ := ebpf.Kprobe
	if p.Kind == spec.AttachTracepoint {
		typ = ebpf.TracePoint
	}
	return &ebpf.ProgramSpec{Name: p.Name, Type: typ, Instructions: insns, License: "GPL"}
}
