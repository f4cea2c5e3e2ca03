package compiler

import (
	"github.com/cilium/ebpf/asm"
)

// lineGen emits the program of one expression line.
type lineGen struct {
	*gen
	ki   *kinfo
	lp   *lineProbe
	buf  asm.Register // the per-CPU scratch value the record is built in
	done map[*lineField]bool
	comm bool // the header's comm is filled
}

// genLine returns the instructions of lp, whose record layout is set.
func genLine(ki *kinfo, lp *lineProbe, stack, record int) (asm.Instructions, error) {
	g := &lineGen{gen: newGen(), ki: ki, lp: lp, done: map[*lineField]bool{}}
	g.src = lp.probe.Name + ": prologue"
	g.ctx, g.buf = g.vreg(), g.vreg()
	g.emit(asm.Mov.Reg(g.ctx, asm.R1))
	g.emit(asm.StoreImm(asm.R10, stackKey, 0, asm.Word))
	g.mapPtr(asm.R1, ScratchMap)
	g.stackAddr(asm.R2, stackKey)
	g.call(asm.FnMapLookupElem)
	g.jump(asm.JEq.Imm(asm.R0, 0, ""), g.exit)
	g.emit(asm.Mov.Reg(g.buf, asm.R0))
	if lp.filter != nil {
		g.filter(lp.filter)
	}
	g.header()
	for _, f := range lp.fields {
		g.field(f)
	}
	if stack >= 0 {
		g.src = "-s: kernel stack"
		id := g.val(&nStackID{})
		g.emit(asm.StoreMem(g.buf, int16(HdrSize+stack), id, asm.DWord))
	}
	g.output(record)
	g.place(g.exit)
	g.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	ivs := liveIntervals(g.code)
	loc, err := allocate(ivs, stackSpill0)
	if err != nil {
		return nil, err
	}
	return lower(g.code, loc)
}

// header fills the record header.
func (g *lineGen) header() {
	g.src = g.lp.probe.Name + ": record header"
	g.emit(asm.StoreImm(g.buf, HdrID, int64(g.lp.event), asm.Word))
	// Helper results go through virtual registers: lower reloads a spilled
	// g.buf through r0, so r0 itself must never be the stored value.
	cpu := g.val(&nCall{fn: asm.FnGetSmpProcessorId})
	g.emit(asm.StoreMem(g.buf, HdrCPU, cpu, asm.Word))
	now := g.val(&nCall{fn: asm.FnKtimeGetNs})
	g.emit(asm.StoreMem(g.buf, HdrTime, now, asm.DWord))
	pid := g.val(&nCall{fn: asm.FnGetCurrentPidTgid})
	g.emit(asm.StoreMem(g.buf, HdrPidTgid, pid, asm.DWord))
	g.fillComm()
	if g.lp.probe.Kind == AttachTracepoint {
		g.emit(storeImm64(g.buf, HdrIP, 0))
	} else {
		ip := g.val(&nCtx{off: g.ki.regs.offsets[g.ki.regs.ip], size: 8})
		g.emit(asm.StoreMem(g.buf, HdrIP, ip, asm.DWord))
	}
}

// fillComm calls bpf_get_current_comm into the header once.
func (g *lineGen) fillComm() {
	if g.comm {
		return
	}
	g.comm = true
	g.emit(asm.Mov.Reg(asm.R1, g.buf), asm.Add.Imm(asm.R1, HdrComm), asm.Mov.Imm(asm.R2, 16))
	g.call(asm.FnGetCurrentComm)
}

// field stores one payload field.
func (g *lineGen) field(f *lineField) {
	if g.done[f] {
		return
	}
	g.done[f] = true
	g.src = source(f.at)
	off := int16(HdrSize + f.out.Offset)
	switch f.kind {
	case fieldScalar:
		r := g.val(f.n)
		g.emit(asm.StoreMem(g.buf, off, r, sizeOp(f.out.Size)))
	case fieldComm:
		g.fillComm()
		for i := int16(0); i < 16; i += 8 {
			t := g.vreg()
			g.emit(asm.LoadMem(t, g.buf, HdrComm+i, asm.DWord), asm.StoreMem(g.buf, off+i, t, asm.DWord))
		}
	case fieldString, fieldBytes:
		var src asm.Register
		if f.n != nil {
			src = g.val(f.n)
		} else {
			src = g.val(f.v.addr)
		}
		if size, ok := g.packetStrSize(f, src); ok {
			g.emit(asm.Mov.Reg(asm.R1, g.buf), asm.Add.Imm(asm.R1, int32(off)))
			g.emit(asm.Mov.Reg(asm.R2, size), asm.Mov.Reg(asm.R3, src))
			g.call(asm.FnProbeReadKernelStr)
			return
		}
		g.emit(asm.Mov.Reg(asm.R1, g.buf), asm.Add.Imm(asm.R1, int32(off)))
		g.emit(asm.Mov.Imm(asm.R2, int32(f.out.Size)), asm.Mov.Reg(asm.R3, src))
		user := f.v.user
		if f.n != nil {
			user = isUserPtr(f.v.t)
		}
		switch {
		case f.kind == fieldString && user:
			g.call(asm.FnProbeReadUserStr)
		case f.kind == fieldString:
			g.call(asm.FnProbeReadKernelStr)
		case user:
			g.call(asm.FnProbeReadUser)
		default:
			g.call(asm.FnProbeReadKernel)
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
	size := g.vreg()
	end := g.val(f.v.end)
	g.emit(asm.Mov.Reg(size, end), asm.Sub.Reg(size, src), asm.Add.Imm(size, 1))
	fits, positive := g.label(), g.label()
	g.jump(asm.JSLE.Imm(size, int32(f.out.Size), ""), fits)
	g.emit(asm.Mov.Imm(size, int32(f.out.Size)))
	g.place(fits)
	g.jump(asm.JSGT.Imm(size, 0, ""), positive)
	g.emit(asm.Mov.Imm(size, 1))
	g.place(positive)
	return size, true
}

// output sends the record to the ring buffer, counting a failure in
// lost[probe].
func (g *lineGen) output(record int) {
	g.src = g.lp.probe.Name + ": output"
	g.ringbufOutput(func() { g.emit(asm.Mov.Reg(asm.R2, g.buf)) }, int32(record), g.lp.ring, false)
	g.jump(asm.JEq.Imm(asm.R0, 0, ""), g.exit)
	g.emit(asm.StoreImm(asm.R10, stackKey, int64(g.lp.probe.Index), asm.Word))
	g.mapPtr(asm.R1, LostMap)
	g.stackAddr(asm.R2, stackKey)
	g.call(asm.FnMapLookupElem)
	g.jump(asm.JEq.Imm(asm.R0, 0, ""), g.exit)
	g.emit(asm.Mov.Imm(asm.R1, 1), asm.StoreXAdd(asm.R0, asm.R1, asm.DWord))
}

// storeImm64 is "*(u64 *)(dst + off) = v" for a 32-bit signed v, which
// asm.StoreImm does not offer for DWord.
func storeImm64(dst asm.Register, off int16, v int32) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(asm.DWord), Dst: dst, Offset: off, Constant: int64(v)}
}
