package netfix

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Prog is a BPF program a fixture loaded and attached.
type Prog struct {
	ProgID uint32 // the program's id, as `bpftool prog` shows it
	Name   string // the program's name
}

// loadProg loads spec for the rest of the test.
func loadProg(t testing.TB, spec *ebpf.ProgramSpec) (*ebpf.Program, *Prog) {
	t.Helper()
	prog, err := ebpf.NewProgram(spec)
	if err != nil {
		t.Fatalf("load %s program %s: %v", spec.Type, spec.Name, err)
	}
	t.Cleanup(func() { prog.Close() })
	info, err := prog.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := info.ID()
	return prog, &Prog{ProgID: uint32(id), Name: spec.Name}
}

// TcDropIPv4 attaches to dev's ingress, in the namespace, a tc bpf
// filter in direct-action mode whose program, named "st_drop_ipv4",
// returns TC_ACT_SHOT for every IPv4 packet and TC_ACT_OK for the
// others (ARP still resolves). It adds the clsact qdisc it needs; both go
// away with the namespace, the program when the test ends.
func (ns *NS) TcDropIPv4(t testing.TB, dev string) *Prog {
	t.Helper()
	prog, p := loadProg(t, &ebpf.ProgramSpec{
		Name:    "st_drop_ipv4",
		Type:    ebpf.SchedCLS,
		License: "GPL",
		Instructions: asm.Instructions{
			// __sk_buff.protocol, the skb's big-endian protocol.
			asm.LoadMem(asm.R2, asm.R1, 16, asm.Word),
			asm.Mov.Imm(asm.R0, 0), // TC_ACT_OK
			asm.JNE.Imm(asm.R2, 0x0008, "out"),
			asm.Mov.Imm(asm.R0, 2), // TC_ACT_SHOT
			asm.Return().WithSymbol("out"),
		},
	})
	err := ns.Do(func() error {
		link, err := netlink.LinkByName(dev)
		if err != nil {
			return err
		}
		qdisc := &netlink.GenericQdisc{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: link.Attrs().Index,
			Handle: netlink.MakeHandle(0xffff, 0), Parent: netlink.HANDLE_CLSACT}, QdiscType: "clsact"}
		if err := netlink.QdiscAdd(qdisc); err != nil {
			return err
		}
		return netlink.FilterAdd(&netlink.BpfFilter{
			FilterAttrs: netlink.FilterAttrs{LinkIndex: link.Attrs().Index, Parent: netlink.HANDLE_MIN_INGRESS,
				Handle: 1, Protocol: unix.ETH_P_ALL, Priority: 1},
			Fd: prog.FD(), Name: "st_drop_ipv4", DirectAction: true,
		})
	})
	if err != nil {
		t.Fatalf("tc filter on %s in %q: %v", dev, ns.Name, err)
	}
	return p
}
