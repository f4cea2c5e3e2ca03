package runtime

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/vishvananda/netlink"

	"github.com/surftrace/surftrace/spec"
)

// attachTC attaches a tc probe's program at the ingress or egress of
// every device of the tracer's network namespace whose name probe.Target
// matches: as a tcx link where the kernel has them (6.6 and later), else
// as a direct-action bpf filter on the device's clsact qdisc, which is
// added when the device has none. Either way the probe runs first, before
// the programs or filters already there, so that it sees every packet
// before they change or drop it. Links go to t.links and filters to
// t.closers, so that Close removes them (and a qdisc it added) on every
// exit path; on error, those attached so far stay until Close.
func (t *Tracer) attachTC(probe *spec.Probe, prog *ebpf.Program) error {
	devs, err := tcDevices(probe.Target)
	if err != nil {
		return err
	}
	for _, dev := range devs {
		l, err := link.AttachTCX(link.TCXOptions{Interface: dev.Attrs().Index, Program: prog,
			Attach: tcxAttach(probe.Kind), Anchor: link.Head()})
		if err == nil {
			t.links = append(t.links, l)
			continue
		}
		if !errors.Is(err, ebpf.ErrNotSupported) {
			return fmt.Errorf("%s: %w", dev.Attrs().Name, err)
		}
		f, err := addTCFilter(dev, probe, prog)
		if err != nil {
			return fmt.Errorf("%s: %w", dev.Attrs().Name, err)
		}
		// Closers close in order: the qdisc this run added goes with its
		// last filter on the device, whichever probe added it.
		for _, c := range t.closers {
			if o, ok := c.(*tcFilter); ok && f.qdisc == nil && o.qdisc != nil && o.qdisc.Attrs().LinkIndex == dev.Attrs().Index {
				f.qdisc, o.qdisc = o.qdisc, nil
			}
		}
		t.closers = append(t.closers, f)
	}
	return nil
}

// tcDevices returns the devices whose names match pattern, by name.
func tcDevices(pattern string) ([]netlink.Link, error) {
	all, err := netlink.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	var out []netlink.Link
	var names []string
	for _, l := range all {
		if ok, _ := path.Match(pattern, l.Attrs().Name); ok {
			out = append(out, l)
		}
		names = append(names, l.Attrs().Name)
	}
	if len(out) == 0 {
		sort.Strings(names)
		return nil, fmt.Errorf("no device matches %s in this network namespace; it has %s", pattern, strings.Join(names, ", "))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Attrs().Name < out[j].Attrs().Name })
	return out, nil
}

func tcxAttach(k spec.AttachKind) ebpf.AttachType {
	if k == spec.AttachTCEgress {
		return ebpf.AttachTCXEgress
	}
	return ebpf.AttachTCXIngress
}
