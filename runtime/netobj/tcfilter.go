package netobj

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/vishvananda/netlink"
)

// TcFilter lists the tc filters of device ifindex in the namespace on
// direction "ingress" or "egress" (the clsact or ingress qdisc's hooks),
// in the order the kernel runs them: preference, kind, and for a bpf
// filter its program's id and name (the kernel's, from the program's
// info), the name it was attached under and whether it runs in
// direct-action mode (its return value is the verdict):
//
//	dev st1b2 ingress: pref 49152 bpf prog id 42 name drop_all "drop_all" direct-action
func TcFilter(inode uint64, ifindex int, direction string) string {
	parents := map[string]uint32{"ingress": netlink.HANDLE_MIN_INGRESS, "egress": netlink.HANDLE_MIN_EGRESS}
	parent, ok := parents[direction]
	if !ok {
		return fmt.Sprintf("tc filters: direction %q is neither ingress nor egress", direction)
	}
	var out string
	err := in(inode, func() error {
		link, err := netlink.LinkByIndex(ifindex)
		if err != nil {
			return err
		}
		filters, err := netlink.FilterList(link, parent)
		if err != nil {
			return err
		}
		var parts []string
		for _, f := range filters {
			parts = append(parts, filterText(f))
		}
		if len(parts) == 0 {
			parts = append(parts, "none")
		}
		out = "dev " + link.Attrs().Name + " " + direction + ": " + strings.Join(parts, "; ")
		return nil
	})
	if err != nil {
		return fmt.Sprintf("tc filters of ifindex %d in netns %d: %v", ifindex, inode, err)
	}
	return out
}

// filterText is one filter: its preference and kind, and a bpf filter's
// program.
func filterText(f netlink.Filter) string {
	s := fmt.Sprintf("pref %d %s", f.Attrs().Priority, f.Type())
	b, ok := f.(*netlink.BpfFilter)
	if !ok {
		return s
	}
	s += fmt.Sprintf(" prog id %d", b.Id)
	if p, err := ebpf.NewProgramFromID(ebpf.ProgramID(b.Id)); err == nil {
		if info, err := p.Info(); err == nil {
			s += " name " + info.Name
		}
		p.Close()
	}
	if b.Name != "" {
		s += fmt.Sprintf(" %q", b.Name)
	}
	if b.DirectAction {
		s += " direct-action"
	}
	return s
}
