package compiler

import (
	"github.com/cilium/ebpf/asm"
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/spec"
)

// lineGen emits the program of one expression line.
type lineGen struct {
	*codegen.Builder
	ki   *kinfo
	lp   *lineProbe
	buf  asm.Register // the per-CPU scratch value the record is built in
	done map[*lineField]bool
	comm bool // the header's comm is filled
}

// genLine returns the instructions of lp, whose record layout is set.
func genLine(ki *kinfo, lp *lineProbe, stack, record int) (asm.Instructions, error) {
	g := &lineGen{Builder: codegen.New(), ki: ki, lp: lp, done: map[*lineField]bool{}}
	g.Src = lp.probe.Name + ": prologue"
	g.Ctx, g.buf = g.Reg(), g.Reg()
	g.Emit(asm.Mov.Reg(g.Ctx, asm.R1))
	g.Emit(asm.StoreImm(asm.R10, codegen.StackKey, 0, asm.Word))
	g.MapPtr(asm.R1, ScratchMap)
	g.StackAddr(asm.R2, codegen.StackKey)
	g.Call(asm.FnMapLookupElem)
	g.Jump(asm.JEq.Imm(asm.R0, 0, ""), g.Exit)
	g.Emit(asm.Mov.Reg(g.buf, asm.R0))
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
		g.Emit(asm.StoreMem(g.buf, int16(spec.HdrSize+stack), id, asm.DWord))
	}
	g.output(record)
	g.Place(g.Exit)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	return g.Finish(codegen.StackSpill0)
}

// header fills the record header.
func (g *lineGen) header() {
	g.Src = g.lp.probe.Name + ": record header"
	g.Emit(asm.StoreImm(g.buf, spec.HdrID, int64(g.lp.event), asm.Word))
	// Helper results go through virtual registers: lower reloads a spilled
	// g.buf through r0, so r0 itself must never be the stored value.
	cpu := g.Val(&codegen.Helper{Fn: asm.FnGetSmpProcessorId})
	g.Emit(asm.StoreMem(g.buf, spec.HdrCPU, cpu, asm.Word))
	now := g.Val(&codegen.Helper{Fn: asm.FnKtimeGetNs})
	g.Emit(asm.StoreMem(g.buf, spec.HdrTime, now, asm.DWord))
	pid := g.Val(&codegen.Helper{Fn: asm.FnGetCurrentPidTgid})
	g.Emit(asm.StoreMem(g.buf, spec.HdrPidTgid, pid, asm.DWord))
	g.fillComm()
	if g.lp.probe.Kind == spec.AttachTracepoint {
		g.Emit(storeImm64(g.buf, spec.HdrIP, 0))
	} else {
		ip := g.Val(&codegen.CtxLoad{Off: g.ki.regs.offsets[g.ki.regs.ip], Size: 8})
		g.Emit(asm.StoreMem(g.buf, spec.HdrIP, ip, asm.DWord))
	}
}

// fillComm calls bpf_get_current_comm into the header once.
func (g *lineGen) fillComm() {
	if g.comm {
		return
	}
	g.comm = true
	g.Emit(asm.Mov.Reg(asm.R1, g.buf), asm.Add.Imm(asm.R1, spec.HdrComm), asm.Mov.Imm(asm.R2, 16))
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
		g.Emit(asm.StoreMem(g.buf, off, r, codegen.SizeOp(f.out.Size)))
	case fieldComm:
		g.fillComm()
		for i := int16(0); i < 16; i += 8 {
			t := g.Reg()
			g.Emit(asm.LoadMem(t, g.buf, spec.HdrComm+i, asm.DWord), asm.StoreMem(g.buf, off+i, t, asm.DWord))
		}
	case fieldString, fieldBytes:
		var src asm.Register
		if f.n != nil {
			src = g.Val(f.n)
		} else {
			src = g.Val(f.v.addr)
		}
		if size, ok := g.packetStrSize(f, src); ok {
			g.Emit(asm.Mov.Reg(asm.R1, g.buf), asm.Add.Imm(asm.R1, int32(off)))
			g.Emit(asm.Mov.Reg(asm.R2, size), asm.Mov.Reg(asm.R3, src))
			g.Call(asm.FnProbeReadKernelStr)
			return
		}
		g.Emit(asm.Mov.Reg(asm.R1, g.buf), asm.Add.Imm(asm.R1, int32(off)))
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
	g.RingbufOutput(func() { g.Emit(asm.Mov.Reg(asm.R2, g.buf)) }, int32(record), g.lp.ring, false)
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
