package compiler

import (
	"fmt"
	"reflect"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// scriptComp compiles a program with script probes (and possibly
// expression lines): one eBPF program per attach point, the script maps
// shared between them, events numbered in source order.
type scriptComp struct {
	ki   *kinfo
	opts Options
	out  *spec.Program
	maps map[string]*smap
	// mapOrder lists maps in order of first appearance.
	mapOrder []*smap
	// retry is set when a map was read before any assignment gave its
	// value a type; a second pass then compiles with the final types.
	retry   bool
	scratch int  // bytes of ScratchMap's value the programs need
	stacks  bool // some program takes a stack id
	// stackDepths are the depths of kstack(N), each with its own map.
	stackDepths map[int]bool
	elapsed     bool // some program reads elapsed
	// aggTypes are the types of the struct and array fields of map
	// values and keys, for reading them back (tupleAt).
	aggTypes map[*spec.Field]btf.Type
	// probeBuiltin says the block being compiled uses the probe builtin;
	// skipped is an attach point SkipUnknownFuncs left out, if any.
	probeBuiltin bool
	skipped      *lang.AttachPoint
}

// maxScratch bounds ScratchMap's value: a per-CPU value stays below the
// allocator's 32 KiB unit.
const maxScratch = 30000

// hasScriptProbes reports whether prog has a probe that is not an
// expression line.
func hasScriptProbes(prog *lang.Program) bool {
	for _, p := range prog.Probes {
		if !p.Line {
			return true
		}
	}
	return false
}

// compileProgram compiles a script: twice when a map was read before its
// first assignment, so that the read knows the value's type.
func compileProgram(prog *lang.Program, ki *kinfo, opts Options) (*spec.Program, error) {
	if len(prog.CDecls) > 0 {
		ki.local = parseCDecls(prog, ki)
	}
	sc := &scriptComp{ki: ki, opts: opts, maps: map[string]*smap{}}
	out, err := sc.compile(prog)
	if err != nil || !sc.retry {
		return out, err
	}
	again := &scriptComp{ki: ki, opts: opts, maps: map[string]*smap{}}
	for _, m := range sc.mapOrder {
		m.provisional = false
		again.maps[m.name] = m
		again.mapOrder = append(again.mapOrder, m)
	}
	return again.compile(prog)
}

// compile checks and generates every probe, collecting one error per
// probe block.
func (sc *scriptComp) compile(prog *lang.Program) (*spec.Program, error) {
	sc.out = &spec.Program{Src: prog.Src}
	sc.scratch = 8
	var errs lang.ErrorList
	for _, p := range prog.Probes {
		if p.Line {
			lp, err := checkOne(sc.ki, sc.opts, p, len(sc.out.Probes))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if err := sc.compileLine(p, lp); err != nil {
				return nil, err
			}
			continue
		}
		if err := sc.block(p); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := sc.finishMaps(); err != nil {
		return nil, err
	}
	if len(sc.out.Probes) == 0 && sc.skipped != nil {
		// bpftrace's words once every attach point was left out.
		return nil, lang.Errorf(sc.skipped.Span, "No probes to attach")
	}
	if sc.elapsed {
		sc.addStartProbe()
	}
	if sc.scratch > maxScratch {
		return nil, fmt.Errorf("%s: the script needs %d bytes of scratch space, more than %d", prog.Pos, sc.scratch, maxScratch)
	}
	m := commonMaps(sc.opts, len(sc.out.Probes), sc.scratch, sc.stacks)
	if !printsLines(sc.out.Events) {
		m[spec.EventsMap].MaxEntries = controlRingSize
	}
	for k, v := range m {
		sc.out.Maps[k] = v
	}
	for d := range sc.stackDepths {
		name := spec.StackMap(d)
		sc.out.Maps[name] = &ebpf.MapSpec{Name: name, Type: ebpf.StackTrace, KeySize: 4,
			ValueSize: uint32(8 * d), MaxEntries: stackEntries}
	}
	return sc.out, nil
}

// block compiles one probe block: one program per attach point after
// wildcard expansion (a kprobe wildcard's functions share one when the
// block does not read probe). An argument selector that matches nothing is left
// out when another attach point of the block matched (a script lists
// functions of several kernel versions). A block whose predicate is
// known false before it runs (constTruth: its parameters' values decide
// it) is left out whole, so nothing attaches for it. It returns the
// block's first source error.
func (sc *scriptComp) block(p *lang.Probe) (err *lang.Error) {
	defer catch(&err)
	if p.Pred != nil {
		if truth, known := constTruth(p.Pred); known && !truth {
			return nil
		}
	}
	var empty *lang.AttachPoint // a selector that matched nothing
	made := 0
	sc.probeBuiltin = usesIdent(reflect.ValueOf(p), "probe")
	// The wildcards of a block share one program among the functions they
	// match, as bpftrace's do, unless it reads probe, which names each
	// function. (func is the kernel's answer in a shared program:
	// bpf_get_func_ip.)
	share := !sc.probeBuiltin
	for _, ap := range p.Attach {
		ts := sc.expand(ap, share)
		sc.checkProgramCount(ap, len(ts))
		if len(ts) == 0 && empty == nil && ap.Kind != lang.TC && ap != sc.skipped {
			empty = ap
		}
		for _, t := range ts {
			sc.probe(p, t)
			made++
		}
	}
	if made == 0 && empty != nil {
		fail(empty, "no kernel function or tracepoint matching %s takes a %s", empty.Target, empty.ArgType)
	}
	return nil
}

// finishMaps creates the map specs and MapInfos, checking that every map
// has a value type.
func (sc *scriptComp) finishMaps() error {
	sc.out.Maps = map[string]*ebpf.MapSpec{}
	for _, m := range sc.mapOrder {
		if m.kind == 0 {
			return lang.Errorf(m.first.Extent(), "map %s is used but never assigned", m.name)
		}
		sc.out.Maps[m.name] = m.spec()
		sc.out.ScriptMaps = append(sc.out.ScriptMaps, m.info())
	}
	return nil
}

// region reserves size bytes of scratch space, 8-aligned, in the probe
// being generated; used reports the high-water mark.
func (sc *scriptComp) used(n int) { sc.scratch = max(sc.scratch, n) }

// addStartProbe adds a BEGIN probe that stores the start time elapsed
// counts from. It runs after the script's own BEGIN probes, whose
// elapsed reads as the time since boot minus zero; every other probe is
// attached after it ran.
func (sc *scriptComp) addStartProbe() {
	sc.out.Maps[startMap] = &ebpf.MapSpec{Name: startMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	pr := &spec.Probe{Index: len(sc.out.Probes), Name: "BEGIN", Kind: spec.AttachBegin}
	insns := asm.Instructions{
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.R10, codegen.StackTemp, asm.R0, asm.DWord),
		asm.StoreImm(asm.R10, codegen.StackKey, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(startMap),
		asm.Mov.Reg(asm.R2, asm.R10),
		asm.Add.Imm(asm.R2, codegen.StackKey),
		asm.Mov.Reg(asm.R3, asm.R10),
		asm.Add.Imm(asm.R3, codegen.StackTemp),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call(),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	}
	insns[0] = insns[0].WithSource(asm.Comment("elapsed: start time"))
	pr.Spec = &ebpf.ProgramSpec{Name: "elapsed_start", Type: ebpf.RawTracepoint, Instructions: insns, License: "GPL"}
	sc.out.Probes = append(sc.out.Probes, pr)
}

// compileLine generates one checked expression line into the program.
func (sc *scriptComp) compileLine(p *lang.Probe, lp *lineProbe) error {
	lb, err := buildLine(sc.ki, sc.opts, p, lp, len(sc.out.Events))
	if err != nil {
		return err
	}
	sc.scratch = max(sc.scratch, lb.scratch)
	sc.stacks = sc.stacks || lb.stacks
	sc.out.Probes = append(sc.out.Probes, lp.probe)
	sc.out.Events = append(sc.out.Events, lb.event)
	return nil
}

// usesIdent reports whether the syntax under v holds identifier name
// (a builtin such as probe).
func usesIdent(v reflect.Value, name string) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return false
		}
		if id, ok := v.Interface().(*lang.Ident); ok {
			return id.Name == name
		}
		return usesIdent(v.Elem(), name)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && f.Type != reflect.TypeOf(lang.Span{}) && usesIdent(v.Field(i), name) {
				return true
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if usesIdent(v.Index(i), name) {
				return true
			}
		}
	}
	return false
}
