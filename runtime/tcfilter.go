package runtime

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/spec"
)

// tcFilter is a bpf filter surftrace added to a clsact qdisc, and the
// qdisc when surftrace added it too. Its netlink handle's sockets stay in
// the network namespace it was added in, whichever thread closes it.
type tcFilter struct {
	h      *netlink.Handle
	filter *netlink.BpfFilter
	qdisc  netlink.Qdisc // nil: the qdisc was there before
}

// addTCFilter adds prog as a direct-action filter at the probe's side of
// dev's clsact qdisc, adding the qdisc when dev has none. The kernel
// picks the filter's priority (before the filters already there); the
// filter is then found again by its program's id to learn it.
func addTCFilter(dev netlink.Link, probe *spec.Probe, prog *ebpf.Program) (*tcFilter, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, err
	}
	f := &tcFilter{h: h}
	qdisc := &netlink.Clsact{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: dev.Attrs().Index,
		Handle: netlink.MakeHandle(0xffff, 0), Parent: netlink.HANDLE_CLSACT}}
	if err := f.h.QdiscAdd(qdisc); err == nil {
		f.qdisc = qdisc
	} else if !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("add clsact qdisc: %w", err)
	}
	parent := uint32(netlink.HANDLE_MIN_INGRESS)
	if probe.Kind == spec.AttachTCEgress {
		parent = netlink.HANDLE_MIN_EGRESS
	}
	info, err := prog.Info()
	if err != nil {
		f.Close()
		return nil, err
	}
	id, _ := info.ID()
	f.sweep(dev, parent)
	filter := &netlink.BpfFilter{
		FilterAttrs:  netlink.FilterAttrs{LinkIndex: dev.Attrs().Index, Parent: parent, Handle: 1, Protocol: unix.ETH_P_ALL},
		Fd:           prog.FD(),
		Name:         filterPrefix + strconv.Itoa(os.Getpid()),
		DirectAction: true,
	}
	if err := f.h.FilterAdd(filter); err != nil {
		f.Close()
		return nil, fmt.Errorf("add bpf filter: %w", err)
	}
	filters, err := f.h.FilterList(dev, parent)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("list filters: %w", err)
	}
	for _, x := range filters {
		if b, ok := x.(*netlink.BpfFilter); ok && b.Id == int(id) {
			f.filter = b
		}
	}
	if f.filter == nil {
		f.Close()
		return nil, fmt.Errorf("the bpf filter added is not listed")
	}
	return f, nil
}

// filterPrefix starts the name of surftrace's filters; the run's pid
// follows.
const filterPrefix = "surftrace:"

// sweep deletes the filters a dead run left at parent of dev (killed by
// SIGKILL, it could not remove them). A run's filters are named after its
// pid; the qdisc a dead run added stays, as nothing says who added it.
func (f *tcFilter) sweep(dev netlink.Link, parent uint32) {
	fs, err := f.h.FilterList(dev, parent)
	if err != nil {
		return
	}
	for _, x := range fs {
		b, ok := x.(*netlink.BpfFilter)
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimPrefix(b.Name, filterPrefix))
		if err == nil && strings.HasPrefix(b.Name, filterPrefix) && pid > 0 && errors.Is(unix.Kill(pid, 0), unix.ESRCH) {
			f.h.FilterDel(b)
		}
	}
}

// Close deletes the filter, then the qdisc if surftrace added it and no
// other filter (another run's) uses it.
func (f *tcFilter) Close() error {
	var errs []error
	if f.filter != nil {
		errs = append(errs, gone(f.h.FilterDel(f.filter)))
	}
	if f.qdisc != nil && !f.qdiscInUse() {
		errs = append(errs, gone(f.h.QdiscDel(f.qdisc)))
	}
	f.h.Close()
	return errors.Join(errs...)
}

// gone drops the error of deleting what is already gone with its device.
func gone(err error) error {
	if errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}

// qdiscInUse reports whether the clsact qdisc f added still has filters
// on either side, another run's or someone else's (or cannot be read: it
// is then left alone).
func (f *tcFilter) qdiscInUse() bool {
	dev, err := f.h.LinkByIndex(f.qdisc.Attrs().LinkIndex)
	if err != nil {
		return true
	}
	for _, parent := range []uint32{netlink.HANDLE_MIN_INGRESS, netlink.HANDLE_MIN_EGRESS} {
		fs, err := f.h.FilterList(dev, parent)
		if err != nil || len(fs) > 0 {
			return true
		}
	}
	return false
}
