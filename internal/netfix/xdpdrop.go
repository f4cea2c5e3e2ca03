package netfix

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
)

// The XDP actions an XdpDropIPv4 program returns for IPv4.
const (
	XDPAborted = 0 // XDP_ABORTED: a program error, traced by xdp:xdp_exception
	XDPDrop    = 1 // XDP_DROP: the program's verdict
)

// The modes XdpDropIPv4 attaches a program in.
const (
	XDPGeneric = nl.XDP_FLAGS_SKB_MODE // generic (skb) mode, the kernel's own
	XDPNative  = nl.XDP_FLAGS_DRV_MODE // native (driver) mode, which veth has
)

// XdpDropIPv4 attaches to dev, in the namespace, in mode (XDPGeneric or
// XDPNative), an XDP program that returns action (XDPDrop or XDPAborted) for every
// IPv4 frame and XDP_PASS for the others (ARP still resolves). It is
// named "st_xdp_drop" or "st_xdp_abort"; the attachment goes away with
// the namespace, the program when the test ends.
func (ns *NS) XdpDropIPv4(t testing.TB, dev string, action int32, mode int) *Prog {
	t.Helper()
	name := "st_xdp_drop"
	if action == XDPAborted {
		name = "st_xdp_abort"
	}
	prog, p := loadProg(t, &ebpf.ProgramSpec{
		Name:    name,
		Type:    ebpf.XDP,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.LoadMem(asm.R2, asm.R1, 0, asm.Word), // xdp_md.data
			asm.LoadMem(asm.R3, asm.R1, 4, asm.Word), // xdp_md.data_end
			asm.Mov.Imm(asm.R0, 2),                   // XDP_PASS
			asm.Mov.Reg(asm.R4, asm.R2),
			asm.Add.Imm(asm.R4, 14), // the Ethernet header's end
			asm.JGT.Reg(asm.R4, asm.R3, "out"),
			asm.LoadMem(asm.R4, asm.R2, 12, asm.Half), // its big-endian type
			asm.JNE.Imm(asm.R4, 0x0008, "out"),
			asm.Mov.Imm(asm.R0, action),
			asm.Return().WithSymbol("out"),
		},
	})
	err := ns.Do(func() error {
		link, err := netlink.LinkByName(dev)
		if err != nil {
			return err
		}
		return netlink.LinkSetXdpFdWithFlags(link, prog.FD(), mode)
	})
	if err != nil {
		t.Fatalf("xdp on %s in %q: %v", dev, ns.Name, err)
	}
	return p
}
