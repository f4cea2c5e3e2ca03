package compiler

import (
	"errors"

	"github.com/cilium/ebpf/asm"
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/spec"
)

// lineGen emits the program of one expression line.
type lineGen struct {
	*codegen.Builder
	ki  *kinfo
	lp  *lineProbe
	buf asm.Register // ScratchMap's value, the scratch space the record is built in
	// onStack puts the scratch space at the bottom of the stack frame
	// instead: it is then addressed from r10 and buf is unused.
	onStack bool
	done    map[*lineField]bool
	comm    bool // the header's comm is filled
}

// genLine returns the instructions of lp, whose record layout is set,
// and whether its scratch space (record and filter temporaries) is the
// bottom of the stack frame rather than ScratchMap's per-CPU value, whose
// lookup the kernel expands to a dozen instructions on every event. The
// stack is used when the scratch fits below the register allocator's
// spills and the record holds no packet capture (whose bytes a helper
// writes only as far as the packet goes); the record's padding is zeroed
// so that the ring buffer helper never reads uninitialised stack, which
// kernels before 6.5 refuse.
func genLine(ki *kinfo, lp *lineProbe, stack, record, scratch int) (asm.Instructions, bool, error) {
	if lineStackOK(lp, scratch) {
		insns, err := genLineIn(ki, lp, stack, record, scratch, true)
		if !errors.Is(err, codegen.ErrStackFull) {
			return insns, err == nil, err
		}
	}
	insns, err := genLineIn(ki, lp, stack, record, scratch, false)
	return insns, false, err
}

// lineStackOK reports whether lp's scratch space may be on the stack.
func lineStackOK(lp *lineProbe, scratch int) bool {
	for _, f := range lp.fields {
		if f.kind == fieldPacket {
			return false
		}
	}
	return codegen.StackLimit+(scratch+7)&^7 <= codegen.StackSpill0
}

// genLineIn generates lp with its scratch space on the stack or in
// ScratchMap.
func genLineIn(ki *kinfo, lp *lineProbe, stack, record, scratch int, onStack bool) (asm.Instructions, error) {
	g := &lineGen{Builder: codegen.New(), ki: ki, lp: lp, done: map[*lineField]bool{}, onStack: onStack}
	g.Src = lp.probe.Name + ": prologue"
	g.Ctx = g.Reg()
	g.Emit(asm.Mov.Reg(g.Ctx, asm.R1))
	if onStack {
		g.Reserved = (scratch + 7) &^ 7
		for _, gap := range recordGaps(lp, stack, record) {
			g.zeroGap(gap[0], gap[1])
		}
	} else {
		g.buf = g.Reg()
		g.FirstValue(g.buf, ScratchMap)
	}
	if lp.filter != nil {
		g.filter(lp.filter)
	}
	g.header()
	for _, f := range lp.fields {
		g.field(f)
	}
	if stack >= 0 {
		g.Src = "-s: kernel stack"
		id := g.Val(&codegen.StackID{})
		g.Emit(g.st(int16(spec.HdrSize+stack), id, asm.DWord))
	}
	g.output(record)
	g.Place(g.Exit)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	return g.Finish(codegen.StackSpill0)
}

// recordGaps returns the [from, to) byte ranges of the record that no
// header field, payload field or stack id writes: the padding that
// aligns fields. A field a helper writes (a string, bytes) counts as
// written whole, as the verifier sees it.
func recordGaps(lp *lineProbe, stack, record int) [][2]int {
	written := make([]bool, record)
	mark := func(off, size int) {
		for i := off; i < off+size && i < record; i++ {
			written[i] = true
		}
	}
	mark(0, spec.HdrSize)
	for _, f := range lp.fields {
		mark(spec.HdrSize+f.out.Offset, f.out.Size)
	}
	if stack >= 0 {
		mark(spec.HdrSize+stack, 8)
	}
	var gaps [][2]int
	for i := 0; i < record; i++ {
		if written[i] {
			continue
		}
		j := i
		for j < record && !written[j] {
			j++
		}
		gaps = append(gaps, [2]int{i, j})
		i = j
	}
	return gaps
}

// zeroGap stores zeros over scratch bytes [from, to), each store as wide
// as its alignment allows.
func (g *lineGen) zeroGap(from, to int) {
	for from < to {
		size := 8
		for size > 1 && (from%size != 0 || from+size > to) {
			size /= 2
		}
		if size == 8 {
			g.Emit(g.st64(int16(from), 0))
		} else {
			g.Emit(g.stImm(int16(from), 0, codegen.SizeOp(size)))
		}
		from += size
	}
}

// base returns the register and offset that address byte off of the
// scratch space.
func (g *lineGen) base(off int16) (asm.Register, int16) {
	if g.onStack {
		return asm.R10, codegen.StackLimit + off
	}
	return g.buf, off
}

// st stores src's low size bytes at scratch offset off.
func (g *lineGen) st(off int16, src asm.Register, size asm.Size) asm.Instruction {
	b, o := g.base(off)
	return asm.StoreMem(b, o, src, size)
}

// stImm stores v in size bytes at scratch offset off.
func (g *lineGen) stImm(off int16, v int64, size asm.Size) asm.Instruction {
	b, o := g.base(off)
	return asm.StoreImm(b, o, v, size)
}

// st64 stores v, sign-extended, in 8 bytes at scratch offset off.
func (g *lineGen) st64(off int16, v int32) asm.Instruction {
	b, o := g.base(off)
	return storeImm64(b, o, v)
}

// ld loads size bytes at scratch offset off into dst.
func (g *lineGen) ld(dst asm.Register, off int16, size asm.Size) asm.Instruction {
	b, o := g.base(off)
	return asm.LoadMem(dst, b, o, size)
}

// addr sets r to the address of scratch offset off.
func (g *lineGen) addr(r asm.Register, off int32) []asm.Instruction {
	b, o := g.base(int16(off))
	return []asm.Instruction{asm.Mov.Reg(r, b), asm.Add.Imm(r, int32(o))}
}

// header fills the record header.
func (g *lineGen) header() {
	g.Src = g.lp.probe.Name + ": record header"
	g.Emit(g.stImm(spec.HdrID, int64(g.lp.event), asm.Word))
	// Helper results go through virtual registers: lower reloads a spilled
	// g.buf through r0, so r0 itself must never be the stored value.
	cpu := g.Val(&codegen.Helper{Fn: asm.FnGetSmpProcessorId})
	g.Emit(g.st(spec.HdrCPU, cpu, asm.Word))
	now := g.Val(&codegen.Helper{Fn: asm.FnKtimeGetNs})
	g.Emit(g.st(spec.HdrTime, now, asm.DWord))
	pid := g.Val(&codegen.Helper{Fn: asm.FnGetCurrentPidTgid})
	g.Emit(g.st(spec.HdrPidTgid, pid, asm.DWord))
	g.fillComm()
	if g.lp.probe.Kind == spec.AttachTracepoint {
		g.Emit(g.st64(spec.HdrIP, 0))
	} else {
		ip := g.Val(&codegen.CtxLoad{Off: g.ki.regs.offsets[g.ki.regs.ip], Size: 8})
		g.Emit(g.st(spec.HdrIP, ip, asm.DWord))
	}
}

// fillComm calls bpf_get_current_comm into the header once.
func (g *lineGen) fillComm() {
	if g.comm {
		return
	}
	g.comm = true
	g.Emit(g.addr(asm.R1, spec.HdrComm)...)
	g.Emit(asm.Mov.Imm(asm.R2, 16))
	g.Call(asm.FnGetCurrentComm)
}

// field stores one payload field.
func (g *lineGen) field(f *lineField) {
	if g.done[f] {
		return
	}
	g.done[f] = true
	g.Src = source(f.at)
	off := int16(spec.HdrSize + f.out.Offset)
	switch f.kind {
	case fieldScalar:
		r := g.Val(f.n)
		g.Emit(g.st(off, r, codegen.SizeOp(f.out.Size)))
	case fieldComm:
		g.fillComm()
		for i := int16(0); i < 16; i += 8 {
			t := g.Reg()
			g.Emit(g.ld(t, spec.HdrComm+i, asm.DWord), g.st(off+i, t, asm.DWord))
		}
	case fieldString, fieldBytes:
		var src asm.Register
		if f.n != nil {
			src = g.Val(f.n)
		} else {
			src = g.Val(f.v.addr)
		}
		if size, ok := g.packetStrSize(f, src); ok {
			g.Emit(g.addr(asm.R1, int32(off))...)
			g.Emit(asm.Mov.Reg(asm.R2, size), asm.Mov.Reg(asm.R3, src))
			g.Call(asm.FnProbeReadKernelStr)
			return
		}
		g.Emit(g.addr(asm.R1, int32(off))...)
		g.Emit(asm.Mov.Imm(asm.R2, int32(f.out.Size)), asm.Mov.Reg(asm.R3, src))
		user := f.v.user
		if f.n != nil {
			user = isUserPtr(f.v.t)
		}
		switch {
		case f.kind == fieldString && user:
			g.Call(asm.FnProbeReadUserStr)
		case f.kind == fieldString:
			g.Call(asm.FnProbeReadKernelStr)
		case user:
			g.Call(asm.FnProbeReadUser)
		default:
			g.Call(asm.FnProbeReadKernel)
		}
	case fieldPacket:
		g.packet(f)
	}
}

// packetStrSize returns, for an Sdata string field, a register holding the
// bytes left in the packet from src plus one for the NUL, clamped to
// [1, size], so the string stops where the packet does instead of running
// into the memory after it; ok is false for other fields.
func (g *lineGen) packetStrSize(f *lineField, src asm.Register) (_ asm.Register, ok bool) {
	if f.kind != fieldString || f.n != nil || f.v.end == nil {
		return 0, false
	}
	size := g.Reg()
	end := g.Val(f.v.end)
	g.Emit(asm.Mov.Reg(size, end), asm.Sub.Reg(size, src), asm.Add.Imm(size, 1))
	fits, positive := g.Label(), g.Label()
	g.Jump(asm.JSLE.Imm(size, int32(f.out.Size), ""), fits)
	g.Emit(asm.Mov.Imm(size, int32(f.out.Size)))
	g.Place(fits)
	g.Jump(asm.JSGT.Imm(size, 0, ""), positive)
	g.Emit(asm.Mov.Imm(size, 1))
	g.Place(positive)
	return size, true
}

// output sends the record to the ring buffer, counting a failure in
// lost[probe].
func (g *lineGen) output(record int) {
	g.Src = g.lp.probe.Name + ": output"
	g.RingbufOutput(func() { g.Emit(g.addr(asm.R2, 0)...) }, int32(record), g.lp.ring, false)
	g.Jump(asm.JEq.Imm(asm.R0, 0, ""), g.Exit)
	g.Emit(asm.StoreImm(asm.R10, codegen.StackKey, int64(g.lp.probe.Index), asm.Word))
	g.MapPtr(asm.R1, spec.LostMap)
	g.StackAddr(asm.R2, codegen.StackKey)
	g.Call(asm.FnMapLookupElem)
	g.Jump(asm.JEq.Imm(asm.R0, 0, ""), g.Exit)
	g.Emit(asm.Mov.Imm(asm.R1, 1), asm.StoreXAdd(asm.R0, asm.R1, asm.DWord))
}

// storeImm64 is "*(u64 *)(dst + off) = v" for a 32-bit signed v, which
// asm.StoreImm does not offer for DWord.
func storeImm64(dst asm.Register, off int16, v int32) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(asm.DWord), Dst: dst, Offset: off, Constant: int64(v)}
}
