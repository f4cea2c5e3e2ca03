package runtime

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/surftrace/surftrace/spec"
)

// Hand-built programs in the shape the compiler emits, for kernel tests.

// baseMaps returns the ring buffer, lost and stacks maps of a program with
// nprobes probes.
func baseMaps(nprobes int, ringSize uint32) map[string]*ebpf.MapSpec {
	return map[string]*ebpf.MapSpec{
		spec.EventsMap: {Name: "events", Type: ebpf.RingBuf, MaxEntries: ringSize},
		spec.LostMap:   {Name: "lost", Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: uint32(nprobes)},
		spec.StacksMap: {Name: "stacks", Type: ebpf.StackTrace, KeySize: 4, ValueSize: 127 * 8, MaxEntries: 64},
	}
}

// emit returns instructions that reserve a record of id with a payload of
// size bytes, fill the header, run body (the record in R7, the context in
// R6), and submit it; a failed reservation counts one lost record of
// probe. The context must be in R6 already.
func emit(id uint32, probe int32, size int32, body ...asm.Instruction) asm.Instructions {
	done := "done" + string(rune('a'+id))
	lost := "lost" + string(rune('a'+id))
	insns := asm.Instructions{
		asm.LoadMapPtr(asm.R1, 0).WithReference(spec.EventsMap),
		asm.Mov.Imm(asm.R2, int32(spec.HdrSize)+size),
		asm.Mov.Imm(asm.R3, 0),
		asm.FnRingbufReserve.Call(),
		asm.JEq.Imm(asm.R0, 0, lost),
		asm.Mov.Reg(asm.R7, asm.R0),
		asm.StoreImm(asm.R7, spec.HdrID, int64(id), asm.Word),
		asm.FnGetSmpProcessorId.Call(),
		asm.StoreMem(asm.R7, spec.HdrCPU, asm.R0, asm.Word),
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.R7, spec.HdrTime, asm.R0, asm.DWord),
		asm.FnGetCurrentPidTgid.Call(),
		asm.StoreMem(asm.R7, spec.HdrPidTgid, asm.R0, asm.DWord),
		asm.Mov.Reg(asm.R1, asm.R7),
		asm.Add.Imm(asm.R1, spec.HdrComm),
		asm.Mov.Imm(asm.R2, 16),
		asm.FnGetCurrentComm.Call(),
		asm.Mov.Imm(asm.R0, 0),
		asm.StoreMem(asm.R7, spec.HdrIP, asm.R0, asm.DWord),
	}
	insns = append(insns, body...)
	return append(insns,
		asm.Mov.Reg(asm.R1, asm.R7),
		asm.Mov.Imm(asm.R2, 0),
		asm.FnRingbufSubmit.Call(),
		asm.Ja.Label(done),
		asm.StoreImm(asm.RFP, -4, int64(probe), asm.Word).WithSymbol(lost),
		asm.LoadMapPtr(asm.R1, 0).WithReference(spec.LostMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, done),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol(done),
	)
}

// storeU64 stores the 64-bit constant v at off in the record.
func storeU64(off int16, v int64) []asm.Instruction {
	return []asm.Instruction{asm.LoadImm(asm.R1, v, asm.DWord), asm.StoreMem(asm.R7, off, asm.R1, asm.DWord)}
}

// updateMap sets map[key] = value for an 8-byte key and value.
func updateMap(name string, key, value int64) []asm.Instruction {
	return []asm.Instruction{
		asm.LoadImm(asm.R1, key, asm.DWord),
		asm.StoreMem(asm.RFP, -8, asm.R1, asm.DWord),
		asm.LoadImm(asm.R1, value, asm.DWord),
		asm.StoreMem(asm.RFP, -16, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(name),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -16),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call(),
	}
}

// program assembles a probe's program: save the context, run parts, return 0.
func program(typ ebpf.ProgramType, parts ...asm.Instructions) *ebpf.ProgramSpec {
	insns := asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1)}
	for _, p := range parts {
		insns = append(insns, p...)
	}
	insns = append(insns, asm.Mov.Imm(asm.R0, 0).WithSymbol("out"), asm.Return())
	return &ebpf.ProgramSpec{Type: typ, License: "GPL", Instructions: insns}
}

// onlyTgid returns from the program unless the current process is tgid.
func onlyTgid(tgid int) asm.Instructions {
	return asm.Instructions{
		asm.FnGetCurrentPidTgid.Call(),
		asm.RSh.Imm(asm.R0, 32),
		asm.JNE.Imm(asm.R0, int32(tgid), "out"),
	}
}
