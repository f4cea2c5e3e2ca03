package netfix

import (
	"errors"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TCState is what traffic control holds on a device: tcx programs, bpf
// and other filters on a clsact qdisc, and whether it has one.
type TCState struct {
	TCX     int
	Filters int
	Clsact  bool
}

// TC reads the traffic-control state of device dev of the test process's
// namespace. A kernel without tcx (before 6.6) counts no tcx programs.
func TC(dev string) (TCState, error) {
	var s TCState
	l, err := netlink.LinkByName(dev)
	if err != nil {
		return s, err
	}
	for _, at := range []ebpf.AttachType{ebpf.AttachTCXIngress, ebpf.AttachTCXEgress} {
		r, err := link.QueryPrograms(link.QueryOptions{Target: l.Attrs().Index, Attach: at})
		switch {
		case err == nil:
			s.TCX += len(r.Programs)
		case errors.Is(err, ebpf.ErrNotSupported), errors.Is(err, unix.EINVAL):
		default:
			return s, err
		}
	}
	qs, err := netlink.QdiscList(l)
	if err != nil {
		return s, err
	}
	for _, q := range qs {
		s.Clsact = s.Clsact || q.Type() == "clsact"
	}
	if !s.Clsact {
		return s, nil
	}
	for _, parent := range []uint32{netlink.HANDLE_MIN_INGRESS, netlink.HANDLE_MIN_EGRESS} {
		fs, err := netlink.FilterList(l, parent)
		if err != nil {
			return s, err
		}
		s.Filters += len(fs)
	}
	return s, nil
}

// AddClsact gives device dev of the test process's namespace a clsact
// qdisc, as `tc qdisc add dev DEV clsact` does.
func AddClsact(dev string) error {
	l, err := netlink.LinkByName(dev)
	if err != nil {
		return err
	}
	return netlink.QdiscAdd(&netlink.Clsact{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: l.Attrs().Index,
		Handle: netlink.MakeHandle(0xffff, 0), Parent: netlink.HANDLE_CLSACT}})
}
