package netobj

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
)

// xdpModes names the kernel's XDP_ATTACHED_* values.
var xdpModes = map[uint32]string{
	nl.XDP_ATTACHED_DRV: "native (driver) mode",
	nl.XDP_ATTACHED_SKB: "generic (skb) mode",
	nl.XDP_ATTACHED_HW:  "offloaded mode",
	4:                   "several modes", // XDP_ATTACHED_MULTI
}

// Xdp names the XDP program attached to device ifindex in the namespace,
// from the link's XDP attribute over rtnetlink: the attach mode, the
// program's id and its name (the kernel's, from the program's info):
//
//	dev st1b2 xdp: generic (skb) mode prog id 42 name st_xdp_drop
func Xdp(inode uint64, ifindex int) string {
	var out string
	err := in(inode, func() error {
		link, err := netlink.LinkByIndex(ifindex)
		if err != nil {
			return err
		}
		x := link.Attrs().Xdp
		out = "dev " + link.Attrs().Name + " xdp: "
		if x == nil || !x.Attached {
			out += "no program attached"
			return nil
		}
		mode, ok := xdpModes[x.AttachMode]
		if !ok {
			mode = fmt.Sprintf("mode %d", x.AttachMode)
		}
		out += fmt.Sprintf("%s prog id %d", mode, x.ProgId)
		if p, err := ebpf.NewProgramFromID(ebpf.ProgramID(x.ProgId)); err == nil {
			if info, err := p.Info(); err == nil {
				out += " name " + info.Name
			}
			p.Close()
		}
		return nil
	})
	if err != nil {
		return fmt.Sprintf("xdp of ifindex %d in netns %d: %v", ifindex, inode, err)
	}
	return out
}
