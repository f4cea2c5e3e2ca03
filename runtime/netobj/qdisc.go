package netobj

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// Qdisc describes the qdiscs of device ifindex in the namespace as the
// path from the root to the qdisc that dropped most, with each one's
// kind and handle, an htb class's rate, a fifo's limit and the queue's
// backlog and drop counters at this moment:
//
//	dev st1a2: htb 1: root drops 41 > class 1:10 rate 1Mbit ceil 1Mbit > pfifo 10: limit 2p backlog 0b drops 41
func Qdisc(inode uint64, ifindex int) string {
	var out string
	err := in(inode, func() error {
		link, err := netlink.LinkByIndex(ifindex)
		if err != nil {
			return err
		}
		qdiscs, err := netlink.QdiscList(link)
		if err != nil {
			return err
		}
		classes, err := netlink.ClassList(link, 0)
		if err != nil {
			return err
		}
		limits, err := fifoLimits(ifindex)
		if err != nil {
			return err
		}
		out = "dev " + link.Attrs().Name + ": " + qdiscPath(qdiscs, classes, limits)
		return nil
	})
	if err != nil {
		return fmt.Sprintf("qdisc of ifindex %d in netns %d: %v", ifindex, inode, err)
	}
	return out
}

// qdiscPath is the path from the root qdisc to the one with the most
// drops (the deepest of equals: a parent counts its children's drops).
func qdiscPath(qdiscs []netlink.Qdisc, classes []netlink.Class, limits map[uint32]uint32) string {
	if len(qdiscs) == 0 {
		return "no qdisc"
	}
	byHandle := map[uint32]netlink.Qdisc{}
	for _, q := range qdiscs {
		byHandle[q.Attrs().Handle] = q
	}
	classBy := map[uint32]netlink.Class{}
	for _, c := range classes {
		classBy[c.Attrs().Handle] = c
	}
	// parts walks from q up to the root, newest part first.
	parts := func(q netlink.Qdisc) []string {
		var p []string
		for i := 0; q != nil && i < 16; i++ {
			p = append(p, describeQdisc(q, limits))
			parent := q.Attrs().Parent
			if parent == netlink.HANDLE_ROOT || parent == netlink.HANDLE_NONE {
				break
			}
			if c, ok := classBy[parent]; ok {
				p = append(p, describeClass(c))
			}
			q = byHandle[parent&0xffff0000]
		}
		return p
	}
	var best []string
	bestDrops := int64(-1)
	for _, q := range qdiscs {
		if q.Attrs().Parent == netlink.HANDLE_INGRESS || q.Type() == "ingress" || q.Type() == "clsact" {
			continue
		}
		d := int64(drops(q.Attrs().Statistics))
		p := parts(q)
		if d > bestDrops || d == bestDrops && len(p) > len(best) {
			best, bestDrops = p, d
		}
	}
	for i, j := 0, len(best)-1; i < j; i, j = i+1, j-1 {
		best[i], best[j] = best[j], best[i]
	}
	return strings.Join(best, " > ")
}

func drops(s *netlink.QdiscStatistics) uint32 {
	if s == nil || s.Queue == nil {
		return 0
	}
	return s.Queue.Drops
}

// describeQdisc is "pfifo 10: limit 2p backlog 0b drops 41", with "root"
// after the handle of the root qdisc.
func describeQdisc(q netlink.Qdisc, limits map[uint32]uint32) string {
	a := q.Attrs()
	s := q.Type() + " " + handle(a.Handle)
	if a.Parent == netlink.HANDLE_ROOT {
		s += " root"
	}
	if l, ok := limits[a.Handle]; ok {
		unit := "p"
		if q.Type() == "bfifo" {
			unit = "b"
		}
		s += fmt.Sprintf(" limit %d%s", l, unit)
	}
	switch x := q.(type) {
	case *netlink.Tbf:
		s += fmt.Sprintf(" rate %s limit %db", bits(x.Rate), x.Limit)
	case *netlink.Netem:
		s += fmt.Sprintf(" limit %dp loss %.2g%%", x.Limit, float64(x.Loss)*100/float64(^uint32(0)))
	case *netlink.FqCodel:
		s += fmt.Sprintf(" limit %dp", x.Limit)
	}
	if st := a.Statistics; st != nil && st.Queue != nil {
		s += fmt.Sprintf(" backlog %db %dp drops %d overlimits %d", st.Queue.Backlog, st.Queue.Qlen, st.Queue.Drops, st.Queue.Overlimits)
	}
	return s
}

// describeClass is "class 1:10 rate 1Mbit ceil 1Mbit" for htb, "class
// 1:10" for other kinds.
func describeClass(c netlink.Class) string {
	s := "class " + handle(c.Attrs().Handle)
	if h, ok := c.(*netlink.HtbClass); ok {
		s += fmt.Sprintf(" %s rate %s ceil %s", c.Type(), bits(h.Rate), bits(h.Ceil))
	}
	return s
}

// handle prints a handle as tc does: "1:" for a qdisc, "1:10" for a class.
func handle(h uint32) string {
	major, minor := h>>16, h&0xffff
	if minor == 0 {
		return fmt.Sprintf("%x:", major)
	}
	return fmt.Sprintf("%x:%x", major, minor)
}

// bits prints a rate in bytes per second as tc prints bits per second.
func bits(bytesPerSec uint64) string {
	b := bytesPerSec * 8
	for _, u := range []struct {
		div  uint64
		name string
	}{{1e9, "Gbit"}, {1e6, "Mbit"}, {1e3, "Kbit"}} {
		if b >= u.div && b%u.div == 0 {
			return fmt.Sprintf("%d%s", b/u.div, u.name)
		}
	}
	return fmt.Sprintf("%dbit", b)
}

// fifoLimits reads the limits of the pfifo and bfifo qdiscs of device
// ifindex in the calling thread's namespace, by handle; the netlink
// library does not decode their options (struct tc_fifo_qopt).
func fifoLimits(ifindex int) (map[uint32]uint32, error) {
	req := nl.NewNetlinkRequest(unix.RTM_GETQDISC, unix.NLM_F_DUMP)
	req.AddData(&nl.TcMsg{Family: nl.FAMILY_ALL, Ifindex: int32(ifindex)})
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWQDISC)
	if err != nil {
		return nil, err
	}
	limits := map[uint32]uint32{}
	for _, m := range msgs {
		tcm := nl.DeserializeTcMsg(m)
		if int(tcm.Ifindex) != ifindex {
			continue
		}
		attrs, err := nl.ParseRouteAttr(m[tcm.Len():])
		if err != nil {
			return nil, err
		}
		var kind string
		var opts []byte
		for _, a := range attrs {
			switch a.Attr.Type {
			case nl.TCA_KIND:
				kind = strings.TrimRight(string(a.Value), "\x00")
			case nl.TCA_OPTIONS:
				opts = a.Value
			}
		}
		if (kind == "pfifo" || kind == "bfifo") && len(opts) >= 4 {
			limits[tcm.Handle] = binary.NativeEndian.Uint32(opts)
		}
	}
	return limits, nil
}
