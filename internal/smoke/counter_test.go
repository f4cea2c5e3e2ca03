package smoke

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// udpCounter is a BPF program that counts IPv4 UDP packets to one address
// and port, reading the headers through a struct sk_buff pointer, and the
// array map it counts in, one slot per attach point.
type udpCounter struct {
	Prog  *ebpf.Program
	count *ebpf.Map
}

// counterSpec says what kind of program a udpCounter is and how it finds
// the sk_buff.
type counterSpec struct {
	Type       ebpf.ProgramType
	AttachType ebpf.AttachType // zero for most program types
	// Prologue leaves the sk_buff pointer in R6 and the slot to count in
	// (below Slots) in R7.
	Prologue asm.Instructions
	Slots    uint32 // number of counters; 0 means 1
}

// newUDPCounter loads the program cs describes: its prologue, then the
// filter and counter.
func newUDPCounter(t *testing.T, cs counterSpec, dst netip.AddrPort) *udpCounter {
	t.Helper()
	head := memberOffset(t, "sk_buff", "head")
	nh := memberOffset(t, "sk_buff", "network_header")
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: max(cs.Slots, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	daddr := dst.Addr().As4()
	port := binary.BigEndian.AppendUint16(nil, dst.Port())
	// Stack layout below the frame pointer: -8 skb->head, -16
	// skb->network_header, -48 the IPv4 header and the UDP ports, -52 key.
	insns := append(asm.Instructions{}, cs.Prologue...)
	insns = append(insns,
		asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, -8), asm.Mov.Imm(asm.R2, 8),
		asm.Mov.Reg(asm.R3, asm.R6), asm.Add.Imm(asm.R3, int32(head)),
		asm.FnProbeReadKernel.Call(),
		asm.JNE.Imm(asm.R0, 0, "out"),
		asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, -16), asm.Mov.Imm(asm.R2, 2),
		asm.Mov.Reg(asm.R3, asm.R6), asm.Add.Imm(asm.R3, int32(nh)),
		asm.FnProbeReadKernel.Call(),
		asm.JNE.Imm(asm.R0, 0, "out"),
		asm.LoadMem(asm.R3, asm.RFP, -8, asm.DWord),
		asm.LoadMem(asm.R4, asm.RFP, -16, asm.Half),
		asm.Add.Reg(asm.R3, asm.R4),
		asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, -48), asm.Mov.Imm(asm.R2, 24),
		asm.FnProbeReadKernel.Call(),
		asm.JNE.Imm(asm.R0, 0, "out"),
		asm.LoadMem(asm.R1, asm.RFP, -48, asm.Byte), // version and IHL: 4, 5 words
		asm.JNE.Imm(asm.R1, 0x45, "out"),
		asm.LoadMem(asm.R1, asm.RFP, -48+9, asm.Byte), // protocol
		asm.JNE.Imm(asm.R1, 17, "out"),
		asm.LoadMem(asm.R1, asm.RFP, -48+16, asm.Word), // daddr
		asm.JNE.Imm32(asm.R1, int32(binary.LittleEndian.Uint32(daddr[:])), "out"),
		asm.LoadMem(asm.R1, asm.RFP, -48+22, asm.Half), // UDP dest port
		asm.JNE.Imm(asm.R1, int32(binary.LittleEndian.Uint16(port)), "out"),
		asm.StoreMem(asm.RFP, -52, asm.R7, asm.Word),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, -52),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	)
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: cs.Type, AttachType: cs.AttachType, License: "GPL", Instructions: insns})
	if err != nil {
		t.Fatalf("load %v program: %v", cs.Type, err)
	}
	t.Cleanup(func() { prog.Close() })
	return &udpCounter{Prog: prog, count: m}
}

// Count returns the number of packets counted so far in slot.
func (c *udpCounter) Count(t *testing.T, slot uint32) uint64 {
	t.Helper()
	var n uint64
	if err := c.count.Lookup(slot, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Wait polls until at least n packets are counted in slot or timeout
// passes, then lets late packets arrive for a moment, so that a count
// above n shows.
func (c *udpCounter) Wait(t *testing.T, slot uint32, n uint64, timeout time.Duration) uint64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for c.Count(t, slot) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	return c.Count(t, slot)
}

// memberOffset returns the byte offset of a member of a kernel struct,
// looking through anonymous structs and unions, from the kernel's BTF.
func memberOffset(t *testing.T, typ, member string) uint32 {
	t.Helper()
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	var s *btf.Struct
	if err := spec.TypeByName(typ, &s); err != nil {
		t.Fatal(err)
	}
	off, err := findMember(s.Members, member)
	if err != nil {
		t.Fatalf("struct %s: %v", typ, err)
	}
	return off
}

func findMember(members []btf.Member, name string) (uint32, error) {
	for _, m := range members {
		if m.Name == name {
			return m.Offset.Bytes(), nil
		}
		if m.Name != "" {
			continue
		}
		var inner []btf.Member
		switch c := m.Type.(type) {
		case *btf.Struct:
			inner = c.Members
		case *btf.Union:
			inner = c.Members
		}
		if off, err := findMember(inner, name); err == nil {
			return m.Offset.Bytes() + off, nil
		}
	}
	return 0, fmt.Errorf("no member %s", name)
}
