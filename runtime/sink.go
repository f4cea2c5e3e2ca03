package runtime

import (
	"encoding/binary"
	"time"

	"github.com/surftrace/surftrace/spec"
)

// Packet is the packet behind one trace record, as compiler.Options.Capture
// made the record carry it.
type Packet struct {
	Probe *spec.Probe
	Time  time.Time
	// Data is the start of the packet, at most the capture's snap length.
	Data []byte
	// Length is the whole packet's length from its first header.
	Length int
	// Ethernet says Data starts with an Ethernet header; otherwise it
	// starts with the IPv4 or IPv6 header.
	Ethernet bool
}

// sinks hands rec's stacks and packet to Output.Stack and Output.Packet.
func (p *printer) sinks(rec *record) {
	if p.out.Stack != nil {
		probe := p.prog.Probes[rec.event.Probe]
		for _, id := range stackIDs(rec) {
			addrs, err := p.r.frames(id)
			if err != nil || len(addrs) == 0 {
				continue
			}
			tab := p.r.syms.Table()
			frames := make([]string, len(addrs))
			for i, a := range addrs {
				frames[i] = tab.Frame(a)
			}
			p.out.Stack(probe, frames)
		}
	}
	if c := rec.event.Capture; c != nil && p.out.Packet != nil {
		if pkt, ok := p.packet(rec, c); ok {
			p.out.Packet(pkt)
		}
	}
}

// packet decodes the captured packet of rec (layout: spec.Capture).
func (p *printer) packet(rec *record, c *spec.Capture) (Packet, bool) {
	const hdr = 16
	if c.Offset+hdr > len(rec.payload) {
		return Packet{}, false
	}
	b := rec.payload[c.Offset:]
	total := int(binary.NativeEndian.Uint32(b[0:4]))
	n := int(binary.NativeEndian.Uint32(b[4:8]))
	if n > c.Snap || hdr+n > len(b) || total < n {
		return Packet{}, false
	}
	return Packet{
		Probe:    p.prog.Probes[rec.event.Probe],
		Time:     time.Unix(0, int64(rec.nsecs)+p.wallNS),
		Data:     append([]byte(nil), b[hdr:hdr+n]...),
		Length:   total,
		Ethernet: b[10] == spec.CaptureEthernet,
	}, true
}
